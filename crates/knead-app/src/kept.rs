//! Answers kept while a patient's journal stays the same.
//!
//! Some answers are made from a whole journal: a clinician's list judges
//! every patient from a year or more of sessions, and a patient's history
//! sends all of theirs. Such an answer only changes when the journal does,
//! and the store tells when that is: its journal version, moved by database
//! triggers on every write to sessions, screenings and programs. So an
//! answer is kept with the version it was made from and used while the
//! version is the same. The version is read before the journal, so a write
//! that lands while an answer is being made leaves it stale at once rather
//! than hiding behind it.
//!
//! Nothing here matters for correctness across servers: each server keeps
//! its own, and the version in the database decides whether one is current.
//! What is kept is bounded by a budget (entries, or bytes); past it,
//! everything is dropped and made again as needed.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug)]
struct Entry<V> {
    version: i64,
    weight: usize,
    value: Arc<V>,
}

#[derive(Debug)]
struct Store<K, V> {
    entries: HashMap<K, Entry<V>>,
    weight: usize,
}

/// Answers kept by key, each with the journal version it was made from.
#[derive(Debug)]
pub struct Kept<K, V> {
    inner: Mutex<Store<K, V>>,
    budget: usize,
}

impl<K: Hash + Eq, V> Kept<K, V> {
    /// Keep at most `budget` in weight (see [`Kept::put`]).
    pub fn new(budget: usize) -> Self {
        Self { inner: Mutex::new(Store { entries: HashMap::new(), weight: 0 }), budget }
    }

    /// The answer kept for `key`, if it was made from `version`.
    pub fn get(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let store = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        store.entries.get(key).filter(|e| e.version == version).map(|e| Arc::clone(&e.value))
    }

    /// Keep `value`, made from `version`, under `key`; `weight` counts
    /// against the budget (1 for an entry, or its size in bytes). A value
    /// heavier than the whole budget is not kept.
    pub fn put(&self, key: K, version: i64, weight: usize, value: Arc<V>) {
        if weight > self.budget {
            return;
        }
        let mut store = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if store.weight + weight > self.budget {
            store.entries.clear();
            store.weight = 0;
        }
        if let Some(old) = store.entries.insert(key, Entry { version, weight, value }) {
            store.weight -= old.weight;
        }
        store.weight += weight;
    }
}

#[cfg(test)]
mod tests {
    use super::Kept;
    use std::sync::Arc;

    #[test]
    fn an_answer_is_used_only_with_its_version_and_within_the_budget() {
        let kept: Kept<&str, &str> = Kept::new(10);
        kept.put("ana", 3, 4, Arc::new("judged at 3"));
        assert_eq!(kept.get(&"ana", 3).as_deref(), Some(&"judged at 3"));
        assert_eq!(kept.get(&"ana", 4), None, "a newer journal needs a new answer");
        assert_eq!(kept.get(&"bo", 3), None);
        kept.put("ana", 4, 4, Arc::new("judged at 4"));
        kept.put("bo", 1, 6, Arc::new("bo"));
        assert_eq!(kept.get(&"ana", 4).as_deref(), Some(&"judged at 4"), "replacing frees its weight");
        kept.put("cy", 1, 1, Arc::new("cy"));
        assert_eq!(kept.get(&"ana", 4), None, "over the budget everything goes");
        assert_eq!(kept.get(&"cy", 1).as_deref(), Some(&"cy"));
        kept.put("huge", 1, 11, Arc::new("too big"));
        assert_eq!(kept.get(&"huge", 1), None);
        assert_eq!(kept.get(&"cy", 1).as_deref(), Some(&"cy"), "a value too big to keep changes nothing");
    }
}
