//! Keep a session done with the guide, online or offline. The id is made on
//! the device, so sending it again (a sync after a lost answer) changes
//! nothing; the same id with other content is refused. The session must come
//! from a screening of this person that allows self-care and every technique
//! it used, and stay within its day's dose limits, judged in the store's
//! write so that sessions sent at once cannot pass a limit together.
//!
//! §4 does not refuse a session: one done offline before a flag was raised
//! is still kept when it arrives. Plans are what §4 stops.

use crate::{Error, Own, Result, Zone};
use knead_core::limits;
use knead_core::records::{SessionRecord, SessionStatus};
use knead_core::vocab::Vocabulary as _;
use knead_store::sharing::Sharing;
use knead_store::{DayRule, Store, StoreError};
use std::collections::BTreeMap;
use std::sync::Arc;

impl<S: Store + Sharing> Own<'_, S> {
    /// Keep `session`, whole, with its day in `zone`. A retry of a session
    /// kept before is answered as kept, even if today's pack would judge it
    /// otherwise (the record stands).
    pub async fn record_session(&self, session: &SessionRecord, zone: Zone) -> Result<()> {
        if session.status == SessionStatus::InProgress {
            return Err(Error::invalid(
                "status",
                "allowed: completed, stopped, interrupted (a whole session)",
            ));
        }
        let kept = match self.admissible(session).await {
            Ok(()) => {
                let within = zone.period(zone.day(session.started_at));
                let pack = Arc::clone(&self.app.pack);
                let usage = session.usage.clone();
                let rule: DayRule = Arc::new(move |others| {
                    let before = limits::usage(others);
                    limits::broken_limits(&pack, &usage, &before)
                        .first()
                        .map_or(Ok(()), |b| Err(b.message.clone()))
                });
                self.app.store.record_session_within(self.person, session, within, rule).await.map_err(|e| {
                    match e {
                        StoreError::Refused(message) => Error::invalid("usage", message),
                        other => other.into(),
                    }
                })
            }
            Err(refused) => Err(refused),
        };
        match kept {
            Ok(()) => Ok(()),
            Err(refused) => match self.app.store.session(self.person, session.id).await? {
                Some(earlier) if earlier == *session => Ok(()),
                _ => Err(refused),
            },
        }
    }

    /// Whether a session may be kept, before its day is judged: its usage
    /// adds up its steps, and its screening (of this person) allows
    /// self-care and every technique it used: a pacemaker rules out the
    /// massager, whatever a client sends.
    async fn admissible(&self, session: &SessionRecord) -> Result<()> {
        let screening = session.screening_id.ok_or_else(|| {
            Error::invalid("screening_id", "the screening the session was planned from is needed")
        })?;
        check_usage_matches_steps(session)?;
        let (_, permit) = self.permit(screening).await?;
        let used = session.usage.keys().chain(session.steps.iter().map(|s| &s.technique));
        match used.copied().find(|t| !permit.allows(*t)) {
            Some(technique) => Err(Error::invalid(
                "usage",
                format!(
                    "{} is ruled out by the screening ({})",
                    technique.as_str(),
                    permit.excluded_by(technique).join(", ")
                ),
            )),
            None => Ok(()),
        }
    }
}

/// A session's `usage` is what the limits are checked on, so when it has
/// steps, their active seconds must add up to it, technique by technique.
fn check_usage_matches_steps(session: &SessionRecord) -> Result<()> {
    if session.steps.is_empty() {
        return Ok(());
    }
    let mut from_steps: BTreeMap<_, u32> = BTreeMap::new();
    for step in &session.steps {
        *from_steps.entry(step.technique).or_default() += step.active_seconds;
    }
    let claimed: BTreeMap<_, u32> =
        session.usage.iter().filter(|(_, s)| **s > 0).map(|(t, s)| (*t, *s)).collect();
    from_steps.retain(|_, s| *s > 0);
    if claimed == from_steps {
        Ok(())
    } else {
        let said: Vec<String> = from_steps.iter().map(|(t, s)| format!("{} {s} s", t.as_str())).collect();
        Err(Error::invalid("usage", format!("must add up the steps' active seconds: {}", said.join(", "))))
    }
}
