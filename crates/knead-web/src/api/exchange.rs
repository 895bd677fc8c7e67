//! The person's data in standard forms: the FHIR R4 Bundle and the PDF
//! report for a clinician.

use crate::AppState;
use crate::auth::Patient;
use crate::problem::{ApiResult, Problem};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Days, FixedOffset};
use knead_export::fhir::{self, BundleInput, ProgramPeriod};
use knead_export::report::{self, ReportInput};
use knead_store::Store;
use knead_store::records::{Journal, PersonId};

async fn journal(state: &AppState, person: PersonId) -> Result<Journal, Problem> {
    Ok(state.store.export(person, state.config.now.now()).await?)
}

/// Everything the person has kept as one FHIR R4 Bundle: the screening
/// Questionnaire and its QuestionnaireResponses, the CarePlan of a
/// clinician's program in force (when the newest screening allows it;
/// from the day it was assigned), and the pain Observations.
#[utoipa::path(get, path = "/api/v1/me/fhir", tag = "exchange",
    responses((status = 200, description = "A FHIR R4 Bundle (application/fhir+json)", body = Object), (status = 401, body = Problem)))]
pub async fn fhir_bundle(State(state): State<AppState>, patient: Patient) -> ApiResult<Response> {
    let all = journal(&state, patient.person()).await?;
    let patient_reference = format!("urn:uuid:{}", patient.person().0);
    let today = state.config.now.now().date_naive();
    let followed = crate::api::program::followed(&state, patient.person(), today).await?;
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

/// The report for a clinician, as a PDF of the last four weeks (days cut
/// at `offset`).
pub async fn report_pdf(state: &AppState, person: PersonId, offset: FixedOffset) -> Result<Vec<u8>, Problem> {
    let all = journal(state, person).await?;
    let to = state.config.now.now().with_timezone(&offset).date_naive();
    let from = to.checked_sub_days(Days::new(27)).unwrap_or(to);
    let input = ReportInput { pack: &state.config.pack, journal: &all, name: None, from, to, zone: &offset };
    report::pdf(&input).map_err(|e| {
        tracing::error!(error = %e, "report failed");
        Problem::internal()
    })
}
