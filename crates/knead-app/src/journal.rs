//! The person's own journal as it is kept: sessions, check-ins, the whole
//! journal for an export. Reading needs no rule; writing a check-in is
//! checked by its types (a pain score, a change rating) before it gets here.
//!
//! A journal grows for years, so nothing here hands over all of it at once:
//! a screen reads the newest sessions it shows ([`Own::latest_sessions`]),
//! and an export or a list of every session reads its head and then its
//! sessions a page at a time ([`Own::export_head`], [`Own::sessions_page`],
//! [`Own::summaries_page`]).

use crate::{Own, Result, Zone};
use chrono::{DateTime, NaiveDate, Utc};
use knead_core::records::{CheckIn, Journal, SessionPain, SessionRecord, SessionSummary};
use knead_store::sharing::Sharing;
use knead_store::{Latest, Period, SessionKey, Store};
use uuid::Uuid;

/// Sessions read in full at a time for a report (see [`Own::for_report`]).
const PAGE: u32 = 500;

/// What a report is made from (see [`Own::for_report`]).
#[derive(Debug)]
pub struct ForReport {
    /// Screenings and check-ins, with the sessions of the report's days.
    pub journal: Journal,
    /// The pain of every session up to the report's last day, oldest first.
    pub pains: Vec<SessionPain>,
}

impl<S: Store + Sharing> Own<'_, S> {
    /// The newest `limit` sessions, oldest first, without plans and
    /// steps, and how many there are in all.
    pub async fn latest_sessions(&self, limit: u32) -> Result<Latest> {
        Ok(self.app.store.latest_session_summaries(self.person, Period::default(), limit).await?)
    }

    /// Sessions in full, oldest first, after `after`, at most `limit`
    /// (see [`Store::sessions_page`]).
    pub async fn sessions_page(&self, after: Option<SessionKey>, limit: u32) -> Result<Vec<SessionRecord>> {
        Ok(self.app.store.sessions_page(self.person, after, limit).await?)
    }

    /// Sessions of `period`, oldest first, without plans and steps, after
    /// `after`, at most `limit` (see [`Store::summaries_page`]).
    pub async fn summaries_page(
        &self,
        period: Period,
        after: Option<SessionKey>,
        limit: u32,
    ) -> Result<Vec<SessionSummary>> {
        Ok(self.app.store.summaries_page(self.person, period, after, limit).await?)
    }

    /// What a report of the days `from` to `to` (the person's, in `zone`)
    /// is made from: the journal's screenings and check-ins with the
    /// sessions of those days only, and the pain of every session up to
    /// `to` (the report's outcome is judged from the first one). A report
    /// of four weeks reads four weeks of sessions in full, however long
    /// the journal.
    pub async fn for_report(&self, from: NaiveDate, to: NaiveDate, zone: Zone) -> Result<ForReport> {
        let (start, end) = (zone.period(from).from, zone.period(to).to);
        let mut journal = self.export_head().await?;
        // Any session's id is above the nil one: the first page starts at `start`.
        let mut after = start.map(|started_at| SessionKey { started_at, id: Uuid::nil() });
        loop {
            let page = self.sessions_page(after, PAGE).await?;
            after = page.last().map(SessionKey::of);
            let full = page.len() == usize::try_from(PAGE).unwrap_or(usize::MAX);
            let before_end = |s: &SessionRecord| end.is_none_or(|end| s.started_at < end);
            let past_end = page.last().is_some_and(|s| !before_end(s));
            journal.sessions.extend(page.into_iter().filter(before_end));
            if !full || past_end {
                break;
            }
        }
        let pains = self.app.store.session_pains(self.person, Period { from: None, to: end }).await?;
        Ok(ForReport { journal, pains })
    }

    /// Keep a weekly check-in.
    pub async fn add_checkin(&self, checkin: &CheckIn) -> Result<()> {
        Ok(self.app.store.add_checkin(self.person, checkin).await?)
    }

    /// The weekly check-ins, oldest first.
    pub async fn checkins(&self) -> Result<Vec<CheckIn>> {
        Ok(self.app.store.checkins(self.person).await?)
    }

    /// The journal as exported now without its sessions, which
    /// [`Own::sessions_page`] reads a page at a time.
    pub async fn export_head(&self) -> Result<Journal> {
        Ok(self.app.store.export_head(self.person, self.app.now()).await?)
    }

    /// Now, by the application's clock (the day a report or an export is made on).
    pub fn now(&self) -> DateTime<Utc> {
        self.app.now()
    }
}
