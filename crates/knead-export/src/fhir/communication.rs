//! Messages between the patient and their clinicians as FHIR R4
//! `Communication`s: who sent it, when, when the patient read it (a
//! clinician's), and the text.

use super::{entry, id};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

/// One message, as the bundle needs it.
#[derive(Debug, Clone, Copy)]
pub struct MessageEntry<'a> {
    /// The message's own id (the exported id is derived from it).
    pub id: Uuid,
    /// When it was sent.
    pub at: DateTime<Utc>,
    /// What it says.
    pub text: &'a str,
    /// Who sent it: the patient, or a clinician (by name or address).
    pub from: Sender<'a>,
    /// When the patient read it (a clinician's message).
    pub read_at: Option<DateTime<Utc>>,
}

/// Who sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender<'a> {
    /// The patient, to their clinicians.
    Patient,
    /// A clinician, to the patient.
    Clinician(&'a str),
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The message as a `Communication` entry about `patient_reference`.
pub(super) fn communication(m: &MessageEntry<'_>, patient_reference: &str) -> Value {
    let patient = json!({ "reference": patient_reference });
    let (sender, recipient) = match m.from {
        Sender::Patient => (patient.clone(), None),
        Sender::Clinician(name) => (json!({ "display": name }), Some(patient.clone())),
    };
    let mut resource = json!({
        "resourceType": "Communication",
        "status": "completed",
        "subject": patient,
        "sent": instant(m.at),
        "sender": sender,
        "payload": [{ "contentString": m.text }],
    });
    if let Some(recipient) = recipient {
        resource["recipient"] = json!([recipient]);
    }
    if let Some(read) = m.read_at {
        resource["received"] = Value::String(instant(read));
    }
    entry(id(&format!("communication/{}", m.id)), resource)
}
