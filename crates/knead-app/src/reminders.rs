//! Reminders by calendar subscription: a private address a calendar app
//! polls. Its times are checked against the day's limit (the pack's, or the
//! program's when one is in force); the token in the address is the only
//! key and is kept only as its hash, so it is shown once, when made.

use crate::secret::{self, random_bytes};
use crate::{Error, Own, Result, Zone};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{FixedOffset, NaiveTime};
use knead_core::reminders::ReminderTimes;
use knead_store::Store;
use knead_store::calendars::{CalendarFeed, Calendars};
use knead_store::sharing::Sharing;

/// A feed just made, and its token (shown once, never kept).
#[derive(Debug)]
pub struct NewFeed {
    /// The token in the address.
    pub token: String,
    /// What is kept.
    pub feed: CalendarFeed,
}

impl NewFeed {
    /// The address's path on this server.
    pub fn path(&self) -> String {
        format!("/calendar/{}.ics", self.token)
    }
}

/// A fresh random token (256 bits, URL-safe base64).
pub fn random_token() -> Result<String> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

/// Times as `HH:MM`.
pub fn hh_mm(times: &[NaiveTime]) -> Vec<String> {
    times.iter().map(|t| t.format("%H:%M").to_string()).collect()
}

impl<S: Store + Sharing + Calendars> Own<'_, S> {
    /// Check `times` and make the person's feed, its days cut at
    /// `utc_offset_minutes` (-840 to 840), ending the old one at once.
    pub async fn open_feed<'t>(
        &self,
        times: impl IntoIterator<Item = &'t str>,
        utc_offset_minutes: i32,
    ) -> Result<NewFeed> {
        let offset = (-840..=840)
            .contains(&utc_offset_minutes)
            .then(|| FixedOffset::east_opt(utc_offset_minutes * 60))
            .flatten()
            .ok_or_else(|| {
                Error::invalid(
                    "utc_offset_minutes",
                    format!("allowed: -840 to 840, not {utc_offset_minutes}"),
                )
            })?;
        let now = self.app.now();
        let followed = self.followed(Zone::Fixed(offset).day(now)).await?;
        let program = followed.and_then(|f| f.program.ok());
        let times = ReminderTimes::parse(times, self.app.pack(), program.as_ref())
            .map_err(|e| Error::invalid(e.field(), e.to_string()))?;
        let token = random_token()?;
        let feed = CalendarFeed {
            person: self.person,
            times: times.into_times(),
            utc_offset_minutes,
            created_at: now,
        };
        self.app.store.open_feed(&secret::hash(&token), &feed).await?;
        Ok(NewFeed { token, feed })
    }

    /// End the person's feed now (none is fine): its address answers like an unknown page.
    pub async fn close_feed(&self) -> Result<()> {
        Ok(self.app.store.revoke_feed(self.person, self.app.now()).await?)
    }

    /// The person's live feed, if any.
    pub async fn feed(&self) -> Result<Option<CalendarFeed>> {
        Ok(self.app.store.feed_of(self.person).await?)
    }
}
