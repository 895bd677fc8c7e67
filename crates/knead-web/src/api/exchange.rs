//! The person's data to take away: Knead's own journal (JSON, what
//! `knead import` reads) and the FHIR R4 Bundle. Both are sent as their
//! sessions are read, a page at a time ([`crate::streamed`]), so a
//! download of ten years holds no more than one of a month.

use crate::auth::Patient;
use crate::problem::{ApiResult, Problem};
use crate::{AppState, streamed};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use knead_export::fhir::{self, BundleInput, MessageEntry, ProgramPeriod, Sender};
use knead_export::json;
use knead_export::spliced::Spliced;

/// The shape of the FHIR answer as far as Knead promises it: a `collection`
/// Bundle whose entries carry a `urn:uuid:` address and a resource. The
/// resources themselves are FHIR R4's (Questionnaire,
/// QuestionnaireResponse, CarePlan, Observation, Communication), checked
/// against an independent R4 model by `tools/fhir-check`, not restated here.
pub struct FhirBundle;

impl utoipa::PartialSchema for FhirBundle {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
        let text = |value: &str| ObjectBuilder::new().schema_type(Type::String).enum_values(Some([value]));
        let entry = ObjectBuilder::new()
            .property("fullUrl", ObjectBuilder::new().schema_type(Type::String).pattern(Some("^urn:uuid:")))
            .property("resource", ObjectBuilder::new().schema_type(Type::Object).required("resourceType"))
            .required("fullUrl")
            .required("resource");
        ObjectBuilder::new()
            .description(Some("A FHIR R4 Bundle of type collection (https://hl7.org/fhir/R4/bundle.html)"))
            .property("resourceType", text("Bundle"))
            .property("type", text("collection"))
            .property("entry", ArrayBuilder::new().items(entry).min_items(Some(1)))
            .required("resourceType")
            .required("type")
            .into()
    }
}

impl utoipa::ToSchema for FhirBundle {}

/// The most messages the bundle holds, the newest.
const MESSAGES_EXPORTED: u32 = 10_000;

/// Everything the person has kept as one FHIR R4 Bundle: the screening
/// Questionnaire and its QuestionnaireResponses, the CarePlan of a
/// clinician's program in force (when the newest screening allows it;
/// from the day it was assigned), the pain Observations, and the messages
/// between you and your clinicians as Communications.
#[utoipa::path(get, path = "/api/v1/me/fhir", tag = "exchange",
    responses((status = 200, description = "A FHIR R4 Bundle", body = FhirBundle, content_type = "application/fhir+json"), (status = 401, body = Problem)))]
pub async fn fhir_bundle(State(state): State<AppState>, patient: Patient) -> ApiResult<Response> {
    let own = state.app.patient(patient.person());
    let head = own.export_head().await?;
    let patient_reference = format!("urn:uuid:{}", patient.person().0);
    let today = state.app.now().date_naive();
    let followed = own.followed(today).await?;
    let program = followed
        .as_ref()
        .and_then(|f| Some(ProgramPeriod { program: f.program.as_ref().ok()?, start: f.start }));
    let kept = own.messages(MESSAGES_EXPORTED).await?;
    let messages: Vec<MessageEntry<'_>> = kept
        .iter()
        .rev()
        .map(|m| MessageEntry {
            id: m.id,
            at: m.at,
            text: &m.text,
            // A clinician who has since deleted their account has no address.
            clinician: if m.clinician_email.is_empty() { "a former clinician" } else { &m.clinician_email },
            from: if m.by_patient() { Sender::Patient } else { Sender::Clinician },
            read_at: m.read_at,
        })
        .collect();
    let input = BundleInput {
        journal: &head,
        patient_reference: &patient_reference,
        questionnaire: &state.config.pack.questionnaire,
        program,
        messages: &messages,
    };
    let headers =
        [(header::CONTENT_TYPE, "application/fhir+json"), (header::CACHE_CONTROL, "private, no-store")];
    if own.sessions_page(None, 1).await?.is_empty() {
        // No Observations: FHIR allows no empty `entry`, which a gap left empty could make.
        let text =
            serde_json::to_string_pretty(&fhir::journal_bundle(&input)).map_err(|_| Problem::internal())?;
        return Ok((headers, text).into_response());
    }
    let frame = serde_json::to_string_pretty(&fhir::bundle_frame(&input)).map_err(|_| Problem::internal())?;
    let frame = Spliced::new(&frame).ok_or_else(Problem::internal)?;
    let body = streamed::sessions_into(state.clone(), patient.person(), frame, move |session, frame| {
        fhir::session_observations(session, &patient_reference)
            .iter()
            .map(|entry| frame.element(entry))
            .collect()
    });
    Ok((headers, body).into_response())
}

/// Everything the person has kept, as Knead's journal export (JSON, the
/// format `knead export` writes and `knead import` reads): screenings,
/// sessions with their steps, and check-ins.
#[utoipa::path(get, path = "/api/v1/me/journal", tag = "exchange",
    responses((status = 200, description = "The journal (application/json), as a file to save", body = knead_core::records::Journal), (status = 401, body = Problem)))]
pub async fn journal(State(state): State<AppState>, patient: Patient) -> ApiResult<Response> {
    let head = state.app.patient(patient.person()).export_head().await?;
    let frame = Spliced::new(&json::journal_frame(&head)).ok_or_else(Problem::internal)?;
    let body = streamed::sessions_into(state.clone(), patient.person(), frame, |session, frame| {
        frame.element(session)
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "private, no-store"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"knead-journal.json\""),
        ],
        body,
    )
        .into_response())
}
