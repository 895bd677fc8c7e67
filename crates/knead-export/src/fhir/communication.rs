//! Messages between the patient and their clinicians as FHIR R4
//! `Communication`s: who sent it to whom (each message is in a thread
//! between the patient and one clinician, so both are known), when, when
//! its recipient read it, and the text.

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
    /// The clinician of its thread (by name or address): its sender or
    /// its recipient.
    pub clinician: &'a str,
    /// Who sent it: the patient or the clinician.
    pub from: Sender,
    /// When its recipient read it.
    pub read_at: Option<DateTime<Utc>>,
}

/// Who sent a message, to the other one of its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// The patient, to the clinician.
    Patient,
    /// The clinician, to the patient.
    Clinician,
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The message as a `Communication` entry about `patient_reference`.
pub(super) fn communication(m: &MessageEntry<'_>, patient_reference: &str) -> Value {
    let patient = json!({ "reference": patient_reference });
    let clinician = json!({ "display": m.clinician });
    let (sender, recipient) = match m.from {
        Sender::Patient => (patient.clone(), clinician),
        Sender::Clinician => (clinician, patient.clone()),
    };
    let mut resource = json!({
        "resourceType": "Communication",
        "status": "completed",
        "subject": patient,
        "sent": instant(m.at),
        "sender": sender,
        "recipient": [recipient],
        "payload": [{ "contentString": m.text }],
    });
    if let Some(read) = m.read_at {
        resource["received"] = Value::String(instant(read));
    }
    entry(id(&format!("communication/{}", m.id)), resource)
}
