//! Private calendar subscriptions: a secret address a calendar app polls
//! for the person's reminders. The store keeps the SHA-256 of the address's
//! token (lowercase hex) and the reminder times; a person has at most one
//! live feed, and making a new one or revoking ends the old one at once.

use crate::StoreError;
use chrono::{DateTime, NaiveTime, Utc};
use knead_core::records::PersonId;
use std::future::Future;

/// A live calendar feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFeed {
    /// Whose reminders.
    pub person: PersonId,
    /// The local times of day of the reminders, earliest first.
    pub times: Vec<NaiveTime>,
    /// The person's offset from UTC in minutes when the feed was made
    /// (the times are theirs, not the server's).
    pub utc_offset_minutes: i32,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// Calendar feeds.
pub trait Calendars: Send + Sync {
    /// Keep a new feed under its token's hash; the person's earlier live
    /// feed is revoked in the same transaction.
    fn open_feed(
        &self,
        token_hash: &str,
        feed: &CalendarFeed,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The live feed behind a token's hash.
    fn feed(&self, token_hash: &str)
    -> impl Future<Output = Result<Option<CalendarFeed>, StoreError>> + Send;

    /// The person's live feed (to show that one exists; the token is not kept).
    fn feed_of(
        &self,
        person: PersonId,
    ) -> impl Future<Output = Result<Option<CalendarFeed>, StoreError>> + Send;

    /// Revoke the person's live feed at `now`; none is fine.
    fn revoke_feed(
        &self,
        person: PersonId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
