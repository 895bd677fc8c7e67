//! The OpenAPI 3.1 document of `/api/v1`, served at `/api/openapi.json`
//! and committed as `docs/openapi.json` (a test fails when they differ).

use utoipa::OpenApi;

/// The document's fixed parts; the paths come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Knead API",
        description = "Screening, plans, guided sessions and the pain journal of Knead, a home-massage coach \
                       for middle back pain. Sign in with POST /api/v1/sign-in (a cookie is set); every write \
                       carries the sign-in's token in X-CSRF-Token. Errors are problem details (RFC 9457) that \
                       name the field at fault.",
        license(name = "AGPL-3.0-or-later")
    ),
    tags(
        (name = "account", description = "Sign up, sign in, sign out"),
        (name = "screening", description = "Warning-sign screening and session plans"),
        (name = "journal", description = "Sessions, pain and check-ins"),
        (name = "exchange", description = "The person's data as FHIR R4"),
        (name = "calendar", description = "A private calendar address for session reminders"),
        (name = "sharing", description = "A patient's invitations, grants, audit log, assigned program and messages"),
        (name = "clinic", description = "A clinician's patients: accepting invitations, the list by attention, records, programs, messages"),
    )
)]
pub struct ApiDoc;

/// The whole document, paths included.
pub fn document() -> utoipa::openapi::OpenApi {
    crate::api::router().into_openapi()
}

/// The document as served: pretty JSON with a final newline, exactly as
/// committed in `docs/openapi.json`.
pub fn document_json() -> String {
    let mut text = document().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

/// `GET /api/openapi.json`.
pub async fn serve_document() -> impl axum::response::IntoResponse {
    static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(document_json);
    ([(axum::http::header::CONTENT_TYPE, "application/json")], TEXT.as_str())
}
