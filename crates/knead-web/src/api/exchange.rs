//! The person's data in a standard form: the FHIR R4 Bundle.

use crate::AppState;
use crate::auth::Patient;
use crate::problem::{ApiResult, Problem};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use knead_export::fhir::{self, BundleInput, ProgramPeriod};

/// Everything the person has kept as one FHIR R4 Bundle: the screening
/// Questionnaire and its QuestionnaireResponses, the CarePlan of a
/// clinician's program in force (when the newest screening allows it;
/// from the day it was assigned), and the pain Observations.
#[utoipa::path(get, path = "/api/v1/me/fhir", tag = "exchange",
    responses((status = 200, description = "A FHIR R4 Bundle (application/fhir+json)", body = Object), (status = 401, body = Problem)))]
pub async fn fhir_bundle(State(state): State<AppState>, patient: Patient) -> ApiResult<Response> {
    let own = state.app.patient(patient.person());
    let all = own.export().await?;
    let patient_reference = format!("urn:uuid:{}", patient.person().0);
    let today = state.app.now().date_naive();
    let followed = own.followed(today).await?;
    let program = followed
        .as_ref()
        .and_then(|f| Some(ProgramPeriod { program: f.program.as_ref().ok()?, start: f.start }));
    let bundle = fhir::journal_bundle(&BundleInput {
        journal: &all,
        patient_reference: &patient_reference,
        questionnaire: &state.config.pack.questionnaire,
        program,
    });
    let text = serde_json::to_string_pretty(&bundle).map_err(|_| Problem::internal())?;
    Ok((
        [(header::CONTENT_TYPE, "application/fhir+json"), (header::CACHE_CONTROL, "private, no-store")],
        text,
    )
        .into_response())
}
