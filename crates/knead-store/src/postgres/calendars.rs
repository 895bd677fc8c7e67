//! [`Calendars`] on PostgreSQL.

use super::{PgStore, micros};
use crate::StoreError;
use crate::calendars::{CalendarFeed, Calendars};
use crate::codec::{corrupt, parse_times, times_text};
use chrono::{DateTime, Utc};
use knead_core::records::PersonId;
use sqlx::FromRow;
use uuid::Uuid;

#[derive(FromRow)]
struct FeedRow {
    token_hash: String,
    person: Uuid,
    times: String,
    utc_offset_minutes: i32,
    created_at: DateTime<Utc>,
}

const FEED_SELECT: &str =
    "SELECT token_hash, person, times, utc_offset_minutes, created_at FROM calendar_feeds";

impl FeedRow {
    fn decode(self) -> Result<CalendarFeed, StoreError> {
        Ok(CalendarFeed {
            person: PersonId(self.person),
            // The hash names the feed in the error: it is not the secret.
            times: parse_times(&self.times)
                .map_err(|e| corrupt("calendar feed", &self.token_hash, "times", e))?,
            utc_offset_minutes: self.utc_offset_minutes,
            created_at: self.created_at,
        })
    }
}

impl Calendars for PgStore {
    async fn open_feed(&self, token_hash: &str, feed: &CalendarFeed) -> Result<(), StoreError> {
        let times = times_text(&feed.times)?;
        let feed = &micros::feed(feed);
        let mut tx = self.begin_write().await?;
        // Lock the person: two feeds opened at once end with one live.
        sqlx::query("SELECT id FROM persons WHERE id = $1 FOR UPDATE")
            .bind(feed.person.0)
            .execute(&mut *tx)
            .await?;
        let existing: Option<FeedRow> = sqlx::query_as(&format!("{FEED_SELECT} WHERE token_hash = $1"))
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
        sqlx::query("UPDATE calendar_feeds SET revoked_at = $1 WHERE person = $2 AND revoked_at IS NULL")
            .bind(feed.created_at)
            .bind(feed.person.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO calendar_feeds (token_hash, person, times, utc_offset_minutes, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(feed.person.0)
        .bind(&times)
        .bind(feed.utc_offset_minutes)
        .bind(feed.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn feed(&self, token_hash: &str) -> Result<Option<CalendarFeed>, StoreError> {
        let row: Option<FeedRow> =
            sqlx::query_as(&format!("{FEED_SELECT} WHERE token_hash = $1 AND revoked_at IS NULL"))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        row.map(FeedRow::decode).transpose()
    }

    async fn feed_of(&self, person: PersonId) -> Result<Option<CalendarFeed>, StoreError> {
        let row: Option<FeedRow> =
            sqlx::query_as(&format!("{FEED_SELECT} WHERE person = $1 AND revoked_at IS NULL"))
                .bind(person.0)
                .fetch_optional(&self.pool)
                .await?;
        row.map(FeedRow::decode).transpose()
    }

    async fn revoke_feed(&self, person: PersonId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE calendar_feeds SET revoked_at = $1 WHERE person = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
