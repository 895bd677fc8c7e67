//! Keep a session done with the guide, online or offline. The id is made on
//! the device, so sending it again (a sync after a lost answer) changes
//! nothing; the same id with other content is refused. The session must come
//! from a screening of this person that allows self-care and every technique
//! it used, and stay within its day's dose limits, judged in the store's
//! write so that sessions sent at once cannot pass a limit together.
//!
//! §4 does not refuse a session: one done offline before a flag was raised
//! is still kept when it arrives. Plans are what §4 stops.
//!
//! A session sent as completed with less massage than its plan counts is
//! kept as stopped early, whatever the client said (see
//! [`EndReason::TooShort`]).
//!
//! A session done without the guide and logged afterwards ([`Own::log_done`])
//! is a record of what happened, not a request: it is kept even past a dose
//! limit, and the limits it went past are said, so the person hears them.

use crate::text::{self, Lines, NOTE_MAX_CHARS};
use crate::{Error, Own, Result, Zone};
use chrono::{DateTime, Duration, Utc};
use knead_core::limits;
use knead_core::planner::DayUsage;
use knead_core::records::{SessionRecord, SessionStatus};
use knead_core::session::EndReason;
use knead_core::units::PainScore;
use knead_core::vocab::{Region, TechniqueId, Vocabulary as _};
use knead_store::mail::Mailing;
use knead_store::sharing::Sharing;
use knead_store::{Store, StoreError};
use std::collections::BTreeMap;

/// The longest session that can be logged: four hours.
pub const LOGGED_MINUTES_MAX: u32 = 240;

/// A session done without the guide, as the person tells it afterwards.
#[derive(Debug, Clone)]
pub struct Done {
    /// The technique.
    pub technique: TechniqueId,
    /// Minutes of massage, 1 to [`LOGGED_MINUTES_MAX`].
    pub minutes: u32,
    /// Pain before.
    pub pain_before: PainScore,
    /// Pain after.
    pub pain_after: PainScore,
    /// When it began (`None`: now).
    pub started_at: Option<DateTime<Utc>>,
    /// Where the pain is.
    pub region: Option<Region>,
    /// A note.
    pub note: Option<String>,
}

/// A logged session as kept, and the dose limits it went past, in words.
#[derive(Debug)]
pub struct Logged {
    /// The session as kept.
    pub session: SessionRecord,
    /// The limits it went past (kept anyway).
    pub past_limits: Vec<String>,
}

impl<S: Store + Sharing + Mailing> Own<'_, S> {
    /// Keep a session done without the guide, with its day in `zone`. It
    /// cannot start in the future (a minute of clock drift is allowed).
    pub async fn log_done(&self, done: Done, zone: Zone) -> Result<Logged> {
        let now = self.app.now();
        let started_at = done.started_at.unwrap_or(now);
        if started_at > now + Duration::minutes(1) {
            return Err(Error::invalid("started_at", "the session cannot start in the future"));
        }
        if !(1..=LOGGED_MINUTES_MAX).contains(&done.minutes) {
            return Err(Error::invalid("minutes", format!("allowed: 1 to {LOGGED_MINUTES_MAX}")));
        }
        let seconds = done.minutes * 60;
        let usage: BTreeMap<_, _> = [(done.technique, seconds)].into();
        let day = zone.period(zone.day(started_at));
        let same_day = self.app.store.session_summaries(self.person, day).await?;
        let before = limits::usage(same_day.iter().map(|s| &s.usage));
        let session = SessionRecord {
            id: uuid::Uuid::now_v7(),
            screening_id: None,
            started_at,
            ended_at: Some(started_at + Duration::seconds(i64::from(seconds))),
            status: SessionStatus::Logged,
            stop_reason: None,
            plan: None,
            steps: Vec::new(),
            usage: usage.clone(),
            pain_before: done.pain_before,
            pain_after: Some(done.pain_after),
            region: done.region,
            note: text::optional("note", done.note.as_deref(), NOTE_MAX_CHARS, Lines::Many)?,
            pack_version: self.app.pack.meta.version.clone(),
        };
        self.app.store.record_session(self.person, &session).await?;
        self.notice_progress(zone).await;
        let past_limits =
            limits::broken_limits(&self.app.pack, &usage, &before).into_iter().map(|b| b.message).collect();
        Ok(Logged { session, past_limits })
    }

    /// Keep `session`, whole, with its day in `zone`. A retry of a session
    /// kept before is answered as kept, even if today's pack would judge it
    /// otherwise (the record stands).
    pub async fn record_session(&self, session: &SessionRecord, zone: Zone) -> Result<()> {
        let note = text::optional("note", session.note.as_deref(), NOTE_MAX_CHARS, Lines::Many)?;
        let (status, stop_reason) = self.honest_end(session);
        let normalised;
        let session = if note == session.note && status == session.status {
            session
        } else {
            normalised = SessionRecord { note, status, stop_reason, ..session.clone() };
            &normalised
        };
        if session.status == SessionStatus::InProgress {
            return Err(Error::invalid(
                "status",
                "allowed: completed, stopped, interrupted (a whole session)",
            ));
        }
        let kept = match self.admissible(session).await {
            Ok(()) => self.keep_within_day(session, zone).await,
            Err(refused) => Err(refused),
        };
        match kept {
            Ok(()) => {
                self.notice_progress(zone).await;
                Ok(())
            }
            Err(refused) => match self.app.store.session(self.person, session.id).await? {
                Some(earlier) if earlier == *session => Ok(()),
                Some(_) => Err(refused),
                // Not this person's: a conflict is someone else's session.
                None => Err(refused.not_theirs()),
            },
        }
    }

    /// Keep `session` if its day, in `zone`, has room for it: the pack's
    /// daily limits, judged by the store with the person's day held (so
    /// sessions sent at once cannot pass a limit together), in the words of
    /// the first limit it would break.
    async fn keep_within_day(&self, session: &SessionRecord, zone: Zone) -> Result<()> {
        let pack = &self.app.pack;
        let over = |before: &DayUsage| {
            let broken = limits::broken_limits(pack, &session.usage, before);
            let why = broken
                .into_iter()
                .next()
                .map_or_else(|| "the day's limits are reached".to_owned(), |b| b.message);
            Error::invalid("usage", why)
        };
        let Some(room) = limits::day_room(pack, &session.usage) else {
            return Err(over(&DayUsage::default()));
        };
        let day = zone.period(zone.day(session.started_at));
        match self.app.store.record_session_within(self.person, session, day, &room).await {
            Err(StoreError::DayFull(before)) => Err(over(&before)),
            kept => Ok(kept?),
        }
    }

    /// How a session sent as completed really ended: with less massage
    /// than its plan's minimum (the pack's, for a plan made before plans
    /// said), it is stopped early, as the session engine would have said
    /// (an older player, or another client, may not have).
    fn honest_end(&self, session: &SessionRecord) -> (SessionStatus, Option<String>) {
        if session.status != SessionStatus::Completed {
            return (session.status, session.stop_reason.clone());
        }
        let planned = session.plan.as_ref().and_then(|p| p.get("counted_min_seconds")?.as_u64());
        let min = planned.map_or(self.app.pack.session_counted_min.value, |m| {
            u32::try_from(m).unwrap_or(u32::MAX).min(self.app.pack.session_counted_min.value)
        });
        let massage: u64 = session.usage.values().map(|s| u64::from(*s)).sum();
        let end = EndReason::at_end(massage * 1000, min);
        (end.status(), end.stop_reason().map(str::to_owned).or(session.stop_reason.clone()))
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
