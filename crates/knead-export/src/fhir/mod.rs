//! The journal as FHIR R4, for a clinician's record system.
//!
//! [`journal_bundle`] gathers, in one `Bundle` of type `collection`:
//!
//! - the `Questionnaire` that defines the screening questions (intake v1),
//!   in the content pack's words (also on its own through
//!   [`questionnaire()`]);
//! - each screening as a `QuestionnaireResponse` to it;
//! - the home program as a `CarePlan`, when one is given;
//! - pain before and after each session as `Observation`s (LOINC 72514-3),
//!   also on their own through [`pain_observations`];
//! - the messages between the patient and their clinicians as
//!   `Communication`s.
//!
//! Ids are UUID v5 derived from the records' own ids (or, for the
//! Questionnaire, its canonical URL), so exporting the same journal twice
//! gives identical bundles, and a receiving system can tell a re-export from
//! new data. There is no `timestamp` on the bundle for the same reason.
//! Canonical URLs live under the repository URL of the workspace
//! (`Cargo.toml`, `workspace.package.repository`).

mod careplan;
mod communication;
mod observation;
mod questionnaire;

pub use careplan::ProgramPeriod;
pub use communication::{MessageEntry, Sender};
pub use observation::{LOINC_PAIN_SEVERITY, LOINC_PAIN_SEVERITY_DISPLAY, pain_observations};
pub use questionnaire::{QUESTIONNAIRE_URL, QUESTIONNAIRE_VERSION, questionnaire};

use knead_core::pack::Questionnaire;
use knead_core::records::{Journal, SessionRecord};
use knead_core::vocab::TechniqueId;
use serde_json::{Value, json};
use uuid::Uuid;

/// Where Knead's own FHIR definitions (Questionnaire, code systems,
/// extensions) live: under the project's repository URL.
pub const CANONICAL_BASE: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/fhir");

/// The namespace of the UUID v5 ids made here (a fixed random UUID; changing
/// it changes every exported id).
const ID_NAMESPACE: Uuid = Uuid::from_u128(0xae7c_790e_b2e2_478d_84cf_337d_b675_3449);

/// What goes into [`journal_bundle`].
#[derive(Debug, Clone, Copy)]
pub struct BundleInput<'a> {
    /// The journal: its screenings and sessions are exported.
    pub journal: &'a Journal,
    /// The person as the receiving system knows them, e.g. `Patient/123`.
    pub patient_reference: &'a str,
    /// The questions the screenings answered: the content pack's.
    pub questionnaire: &'a Questionnaire,
    /// The home program and when it runs, if there is one.
    pub program: Option<ProgramPeriod<'a>>,
    /// The messages between the patient and their clinicians, oldest first.
    pub messages: &'a [MessageEntry<'a>],
}

/// The whole journal as one FHIR R4 `Bundle` (type `collection`): the
/// screening Questionnaire, one QuestionnaireResponse per screening, the
/// CarePlan if a program is given, then the pain Observations, then the
/// messages as Communications, each group oldest first. The Questionnaire is included
/// only when there is a screening to answer it.
pub fn journal_bundle(input: &BundleInput<'_>) -> Value {
    bundle(input, observation::observations(&input.journal.sessions, input.patient_reference))
}

/// [`journal_bundle`] with [`Spliced::PLACE`](crate::spliced::Spliced::PLACE)
/// where the pain Observations go, the journal's sessions left out: a
/// server writes them a page at a time into the gap, each session's with
/// [`session_observations`], and sends the same bundle without holding it.
pub fn bundle_frame(input: &BundleInput<'_>) -> Value {
    bundle(input, vec![Value::String(crate::spliced::Spliced::PLACE.to_owned())])
}

/// The bundle entries of one session's pain Observations (before, and
/// after if given), as [`journal_bundle`] writes them.
pub fn session_observations(session: &SessionRecord, patient_reference: &str) -> Vec<Value> {
    observation::observations(std::slice::from_ref(session), patient_reference)
}

/// The bundle of `input` with `observations` in their place.
fn bundle(input: &BundleInput<'_>, observations: Vec<Value>) -> Value {
    let journal = input.journal;
    let mut entries = Vec::new();
    if !journal.screenings.is_empty() {
        entries.push(questionnaire::questionnaire_entry(input.questionnaire));
        entries.extend(
            journal
                .screenings
                .iter()
                .map(|s| questionnaire::response(input.questionnaire, s, input.patient_reference)),
        );
    }
    if let Some(program) = &input.program {
        entries.push(careplan::care_plan(program, input.patient_reference));
    }
    entries.extend(observations);
    entries.extend(input.messages.iter().map(|m| communication::communication(m, input.patient_reference)));
    collection(entries)
}

/// A UUID v5 from a name in Knead's namespace.
fn id(name: &str) -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, name.as_bytes())
}

/// A bundle entry: the resource with its `id`, and `urn:uuid:` as `fullUrl`.
fn entry(id: Uuid, mut resource: Value) -> Value {
    resource["id"] = Value::String(id.to_string());
    json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": resource })
}

/// A `collection` bundle; no `entry` when there are none (FHIR JSON allows
/// no empty arrays).
fn collection(entries: Vec<Value>) -> Value {
    let mut bundle = json!({
        "resourceType": "Bundle",
        "type": "collection",
    });
    if !entries.is_empty() {
        bundle["entry"] = Value::Array(entries);
    }
    bundle
}

/// A technique in words ("foam roller").
fn technique_words(technique: TechniqueId) -> &'static str {
    match technique {
        TechniqueId::Hands => "hands",
        TechniqueId::FoamRoller => "foam roller",
        TechniqueId::ElectricMassager => "electric massager",
    }
}
