//! Judgements of patients kept between a clinician's visits.
//!
//! A clinician's list judges every patient they follow from a year or more
//! of sessions; doing that on every visit reads hundreds of thousands of
//! rows. A judgement only changes when the patient's journal does (the
//! store's journal version, moved by database triggers on every write to
//! sessions, screenings and programs) or when the day changes, so a kept
//! one is used while both are what it was made from. The version is read
//! before the journal, so a write that lands during a judgement makes it
//! stale at once rather than hiding behind it.
//!
//! Nothing here matters for correctness across servers: each server keeps
//! its own, and the version in the database decides whether it is current.

use crate::api::clinic::Listed;
use chrono::NaiveDate;
use knead_store::records::PersonId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// How many judgements are kept at most; past it they are all dropped and
/// made again as needed (a clinician's list is a few hundred).
const MOST: usize = 50_000;

/// What a judgement was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    person: PersonId,
    offset_seconds: i32,
}

#[derive(Debug)]
struct Kept {
    version: i64,
    today: NaiveDate,
    listed: Arc<Listed>,
}

/// The kept judgements of one server.
#[derive(Debug, Default)]
pub struct Standings {
    kept: Mutex<HashMap<Key, Kept>>,
}

impl Standings {
    /// The judgement of `person` made from journal `version` on `today`
    /// (days cut at `offset_seconds` east of UTC), if one is kept.
    pub fn get(
        &self,
        person: PersonId,
        offset_seconds: i32,
        version: i64,
        today: NaiveDate,
    ) -> Option<Arc<Listed>> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(&Key { person, offset_seconds })
            .filter(|k| k.version == version && k.today == today)
            .map(|k| Arc::clone(&k.listed))
    }

    /// Keep a judgement made from journal `version` on `today`.
    pub fn put(
        &self,
        person: PersonId,
        offset_seconds: i32,
        version: i64,
        today: NaiveDate,
        listed: Arc<Listed>,
    ) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= MOST {
            kept.clear();
        }
        kept.insert(Key { person, offset_seconds }, Kept { version, today, listed });
    }
}
