//! Why a use case said no. Interfaces show these in their own way (a
//! problem document, a page, a line in the terminal); the words are made
//! here, once.

use knead_store::StoreError;

/// Why a use case did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value is not allowed: `field` names it (a path like
    /// `clearance.by`), `message` says what is allowed.
    #[error("{field}: {message}")]
    Invalid {
        /// The field at fault.
        field: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The request is sound but what is kept says no (a red flag, a
    /// stale screening, a used-up day).
    #[error("{}: {}", .0.title, .0.detail)]
    Refused(Refusal),
    /// Too many attempts of one kind (see [`crate::attempts`]): wait
    /// `retry_after_seconds` before trying again.
    #[error("{title}: {detail}")]
    TooMany {
        /// The kind, as a short word (`sign-ins-paused`, `too-many-attempts`).
        kind: &'static str,
        /// The kind in a few words.
        title: &'static str,
        /// What was counted, how many are allowed, and how long to wait.
        detail: String,
        /// Seconds before one more attempt is let through (at least 1).
        retry_after_seconds: u32,
    },
    /// Not there, or not the caller's: the two are not told apart.
    #[error("not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// Something that cannot go wrong did; the text is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

/// A refusal in words, with a short word for its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The kind, as a short word (`no-self-care`, `escalation`, ...).
    pub kind: &'static str,
    /// The kind in a few words.
    pub title: String,
    /// This refusal in words: why, and what to do.
    pub detail: String,
    /// The §4 flag behind it, when one is (`worsening`, `severe`, `no_improvement`).
    pub flag: Option<&'static str>,
}

impl Error {
    /// A value is not allowed.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid { field: field.into(), message: message.into() }
    }

    /// What is kept says no.
    pub fn refused(kind: &'static str, title: impl Into<String>, detail: impl Into<String>) -> Self {
        Error::Refused(Refusal { kind, title: title.into(), detail: detail.into(), flag: None })
    }

    /// A store's conflict on a write of an id this person has no record
    /// under: the id is someone else's, and that is not told (404, as for
    /// an id that does not exist), so ids cannot be probed.
    pub(crate) fn not_theirs(self) -> Self {
        match self {
            Error::Store(StoreError::Conflict { .. }) => Error::NotFound,
            other => other,
        }
    }

    /// The refusal, when this is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Error::Refused(r) => Some(r),
            _ => None,
        }
    }
}
