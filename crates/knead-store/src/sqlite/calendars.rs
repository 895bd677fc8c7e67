//! [`Calendars`] on SQLite.

use super::{SqliteStore, parse_id, parse_time, person_text, time_text};
use crate::StoreError;
use crate::calendars::{CalendarFeed, Calendars};
use crate::codec::{corrupt, parse_times, times_text};
use chrono::{DateTime, Utc};
use knead_core::records::PersonId;
use sqlx::FromRow;

#[derive(FromRow)]
struct FeedRow {
    token_hash: String,
    person: String,
    times: String,
    utc_offset_minutes: i64,
    created_at: String,
}

const FEED_SELECT: &str =
    "SELECT token_hash, person, times, utc_offset_minutes, created_at FROM calendar_feeds";

impl FeedRow {
    fn decode(self) -> Result<CalendarFeed, StoreError> {
        // The hash names the feed in the error: it is not the secret.
        let id = self.token_hash.as_str();
        let bad = |field: &str, problem: String| corrupt("calendar feed", id, field, problem);
        Ok(CalendarFeed {
            person: PersonId(parse_id(&self.person).map_err(|e| bad("person", e))?),
            times: parse_times(&self.times).map_err(|e| bad("times", e))?,
            utc_offset_minutes: i32::try_from(self.utc_offset_minutes).map_err(|_| {
                bad("utc_offset_minutes", format!("{} is out of range", self.utc_offset_minutes))
            })?,
            created_at: parse_time(&self.created_at).map_err(|e| bad("created_at", e))?,
        })
    }
}

impl Calendars for SqliteStore {
    async fn open_feed(&self, token_hash: &str, feed: &CalendarFeed) -> Result<(), StoreError> {
        let times = times_text(&feed.times)?;
        let created = time_text(&feed.created_at, "feed.created_at")?;
        let person = person_text(feed.person);
        let mut tx = self.begin_write().await?;
        let existing: Option<FeedRow> = sqlx::query_as(&format!("{FEED_SELECT} WHERE token_hash = ?"))
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = existing {
            // The same feed again is a retry; anything else under this token is refused.
            return if row.decode()? == *feed {
                Ok(())
            } else {
                Err(StoreError::Taken { what: "calendar token" })
            };
        }
        sqlx::query("UPDATE calendar_feeds SET revoked_at = ? WHERE person = ? AND revoked_at IS NULL")
            .bind(&created)
            .bind(&person)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO calendar_feeds (token_hash, person, times, utc_offset_minutes, created_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(&person)
        .bind(&times)
        .bind(i64::from(feed.utc_offset_minutes))
        .bind(&created)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn feed(&self, token_hash: &str) -> Result<Option<CalendarFeed>, StoreError> {
        let row: Option<FeedRow> =
            sqlx::query_as(&format!("{FEED_SELECT} WHERE token_hash = ? AND revoked_at IS NULL"))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        row.map(FeedRow::decode).transpose()
    }

    async fn feed_of(&self, person: PersonId) -> Result<Option<CalendarFeed>, StoreError> {
        let row: Option<FeedRow> =
            sqlx::query_as(&format!("{FEED_SELECT} WHERE person = ? AND revoked_at IS NULL"))
                .bind(person_text(person))
                .fetch_optional(&self.pool)
                .await?;
        row.map(FeedRow::decode).transpose()
    }

    async fn revoke_feed(&self, person: PersonId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE calendar_feeds SET revoked_at = ? WHERE person = ? AND revoked_at IS NULL")
            .bind(time_text(&now, "now")?)
            .bind(person_text(person))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
