//! The person's own journal as it is kept: sessions, check-ins, the whole
//! journal for an export. Reading needs no rule; writing a check-in is
//! checked by its types (a pain score, a change rating) before it gets here.
//!
//! A journal grows for years, so nothing here hands over all of it at once:
//! a screen reads the newest sessions it shows ([`Own::latest_sessions`]),
//! and an export reads its head and then its sessions a page at a time
//! ([`Own::export_head`], [`Own::sessions_page`]).

use crate::{Own, Result};
use chrono::{DateTime, Utc};
use knead_core::records::{CheckIn, Journal, SessionRecord};
use knead_store::sharing::Sharing;
use knead_store::{Latest, Period, SessionKey, Store};

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

    /// Keep a weekly check-in.
    pub async fn add_checkin(&self, checkin: &CheckIn) -> Result<()> {
        Ok(self.app.store.add_checkin(self.person, checkin).await?)
    }

    /// The weekly check-ins, oldest first.
    pub async fn checkins(&self) -> Result<Vec<CheckIn>> {
        Ok(self.app.store.checkins(self.person).await?)
    }

    /// The whole journal, as exported now.
    pub async fn export(&self) -> Result<Journal> {
        Ok(self.app.store.export(self.person, self.app.now()).await?)
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
