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
        (name = "account", description = "Sign up and sign in (anyone); the account itself (anyone signed in)"),
        (name = "screening", description = "Warning-sign screening and session plans (patient accounts)"),
        (name = "journal", description = "Sessions, pain and check-ins (patient accounts)"),
        (name = "exchange", description = "The person's data as Knead's journal and as FHIR R4 (patient accounts)"),
        (name = "calendar", description = "A private calendar address for session reminders (patient accounts)"),
        (name = "sharing", description = "A patient's invitations, grants, audit log, assigned program and messages (patient accounts)"),
        (name = "clinic", description = "A clinician's patients: accepting invitations, the list by attention, records, programs, messages (clinician accounts)"),
    )
)]
pub struct ApiDoc;

/// The whole document, paths included.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = crate::api::router().into_openapi();
    shared_answers(&mut document);
    text_limits(&mut document);
    document
}

/// The longest text each request field takes, from the constants the
/// application checks with (utoipa's `max_length` takes only a literal,
/// which could drift from them): (schema, property, characters). The
/// application counts characters as sent, as `maxLength` does
/// ([`knead_app::text`]), so what the document allows and what the server
/// takes are one rule, and schemathesis sends one character more to check it.
const TEXT_LIMITS: &[(&str, &str, usize)] = {
    use knead_app::password::MAX_CHARS as PASSWORD;
    use knead_app::sharing::MESSAGE_MAX_CHARS as MESSAGE;
    use knead_app::text::NOTE_MAX_CHARS as NOTE;
    const EMAIL: usize = crate::auth::EMAIL_MAX_CHARS;
    &[
        ("NewMessage", "text", MESSAGE),
        ("Reply", "text", MESSAGE),
        ("AcknowledgeRequest", "note", NOTE),
        ("AssignRequest", "note", NOTE),
        ("SessionRecord", "note", NOTE),
        ("Clearance", "by", knead_app::screening::CLEARED_BY_MAX_CHARS),
        ("ClearanceJson", "by", knead_app::screening::CLEARED_BY_MAX_CHARS),
        ("DisplayName", "display_name", crate::auth::DISPLAY_NAME_MAX_CHARS),
        ("NewAccount", "password", PASSWORD),
        ("PasswordChange", "new_password", PASSWORD),
        ("PasswordReset", "new_password", PASSWORD),
        ("NewAccount", "email", EMAIL),
        ("AddressChange", "new_email", EMAIL),
        ("LinkRequest", "email", EMAIL),
    ]
};

/// Write [`TEXT_LIMITS`] into the document's schemas as `maxLength`.
fn text_limits(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;
    let Some(components) = document.components.as_mut() else { return };
    for &(schema, property, max) in TEXT_LIMITS {
        let field = match components.schemas.get_mut(schema) {
            Some(RefOr::T(Schema::Object(object))) => match object.properties.get_mut(property) {
                Some(RefOr::T(Schema::Object(field))) => field,
                _ => panic!("TEXT_LIMITS names {schema}.{property}, which is not a text field"),
            },
            _ => panic!("TEXT_LIMITS names the schema {schema}, which the document does not have"),
        };
        field.max_length = Some(max);
    }
}

/// The operations anyone may call; every other one needs a sign-in.
const PUBLIC: &[(&str, &str)] = &[
    ("post", "/api/v1/accounts"),
    ("post", "/api/v1/sign-in"),
    ("post", "/api/v1/password-links"),
    ("post", "/api/v1/password-links/use"),
    ("post", "/api/v1/email-links/use"),
];

/// The name of the sign-in cookie's security scheme.
const SIGN_IN: &str = "sign_in";
/// The name of the anti-forgery header's security scheme.
const CSRF: &str = "csrf_token";

/// What every operation may answer because of what runs before its
/// handler, written here once as the server enforces it once: the
/// sign-in (401) and, for writes, the same-site and anti-forgery checks
/// (403); for a body, its type (415), size (413), pace (408) and shape
/// (400). Every error is a problem, sent as `application/problem+json`,
/// and a 429 says when to try again in `Retry-After`.
fn shared_answers(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
    let components = document.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SIGN_IN,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::auth::cookie_name(false),
            "Set by signing in; `__Host-knead` when the server runs with --secure-cookies",
        ))),
    );
    components.add_security_scheme(
        CSRF,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "X-CSRF-Token",
            "The sign-in's anti-forgery token (`csrf` in the answer to signing in and to GET /api/v1/me), sent with every write",
        ))),
    );
    for (path, item) in &mut document.paths.paths {
        let methods = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ];
        for (method, operation) in methods {
            let Some(operation) = operation else { continue };
            let write = method != "get";
            let signed_in = !PUBLIC.contains(&(method, path.as_str()));
            let answers = &mut operation.responses.responses;
            if signed_in {
                let mut needs = SecurityRequirement::new(SIGN_IN, Vec::<String>::new());
                if write {
                    needs = needs.add(CSRF, Vec::<String>::new());
                }
                operation.security = Some(vec![needs]);
                answers
                    .entry("401".into())
                    .or_insert_with(|| problem("Not signed in, or the sign-in lapsed"));
            }
            let role = operation.tags.iter().flatten().find_map(|tag| only_for(tag));
            let forbidden = match (role, write) {
                (Some(role), false) => Some(format!("For {role} accounts only")),
                (Some(role), true) => Some(format!("For {role} accounts only; or {FOREIGN_WRITE}")),
                (None, true) if signed_in => Some(format!("This is {FOREIGN_WRITE}")),
                (None, true) => Some("A write from another site".to_owned()),
                (None, false) => None,
            };
            if let Some(forbidden) = forbidden {
                answers.entry("403".into()).or_insert_with(|| problem(&forbidden));
            }
            if operation.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                answers
                    .entry("422".into())
                    .or_insert_with(|| problem("A parameter is not valid; `field` names it"));
            }
            if operation.request_body.is_some() {
                for (status, description) in [
                    ("400", "The body is not JSON of the expected shape"),
                    ("408", "The body paused for too long before it was whole"),
                    ("413", "The body is larger than the server takes"),
                    ("415", "The body is not sent as application/json"),
                    ("422", "A field is not valid; `field` names it"),
                ] {
                    answers.entry(status.into()).or_insert_with(|| problem(description));
                }
            }
            for (status, answer) in answers.iter_mut() {
                if let utoipa::openapi::RefOr::T(answer) = answer {
                    as_problem(status, answer);
                }
            }
        }
    }
}

/// Why a write is refused whatever the account (403).
const FOREIGN_WRITE: &str = "a write from another site, or without this sign-in's X-CSRF-Token";

/// Which accounts an operation is for, by its tag, as the handlers'
/// extractors decide it (`Clinician` and `Treating` for the clinic,
/// `Patient` for a person's own data, `Someone` for the account itself);
/// the access matrix test (`tests/web/access.rs`) checks every route for
/// every kind of caller.
fn only_for(tag: &str) -> Option<&'static str> {
    match tag {
        "account" => None,
        "clinic" => Some("clinician"),
        _ => Some("patient"),
    }
}

/// An error answer whose body is a [`Problem`](crate::problem::Problem).
fn problem(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    let mut answer = utoipa::openapi::Response::new(description);
    answer.content.insert(PROBLEM_JSON.into(), utoipa::openapi::Content::new(Some(problem_schema())));
    utoipa::openapi::RefOr::T(answer)
}

/// The media type of every error (RFC 9457).
const PROBLEM_JSON: &str = "application/problem+json";

fn problem_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::Ref::from_schema_name("Problem").into()
}

/// An error answer declared with `body = Problem` is sent as
/// `application/problem+json`, not `application/json`; a 429 carries
/// `Retry-After`.
fn as_problem(status: &str, answer: &mut utoipa::openapi::Response) {
    let is_problem = |content: &utoipa::openapi::Content| content.schema == Some(problem_schema());
    if let Some(index) = answer.content.iter().position(|(_, content)| is_problem(content))
        && let Some((_, content)) = answer.content.shift_remove_index(index)
    {
        answer.content.insert(PROBLEM_JSON.into(), content);
    }
    if status == "429" {
        let seconds = utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .minimum(Some(1));
        let mut header = utoipa::openapi::header::Header::new(seconds);
        header.description = Some("Seconds to wait before trying again".into());
        answer.headers.insert("Retry-After".into(), header);
    }
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
