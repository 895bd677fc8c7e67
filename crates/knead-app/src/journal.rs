//! The person's own journal as it is kept: sessions, check-ins, the whole
//! journal for an export. Reading needs no rule; writing a check-in is
//! checked by its types (a pain score, a change rating) before it gets here.

use crate::{Own, Result};
use chrono::{DateTime, Utc};
use knead_core::records::{CheckIn, Journal, SessionSummary};
use knead_store::sharing::Sharing;
use knead_store::{Period, Store};

impl<S: Store + Sharing> Own<'_, S> {
    /// Every session, oldest first, without plans and steps.
    pub async fn sessions(&self) -> Result<Vec<SessionSummary>> {
        Ok(self.app.store.session_summaries(self.person, Period::default()).await?)
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

    /// Now, by the application's clock (the day a report or an export is made on).
    pub fn now(&self) -> DateTime<Utc> {
        self.app.now()
    }
}
