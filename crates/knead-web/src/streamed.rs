//! Documents as long as a journal, sent as they are read.
//!
//! An export of ten years of sessions is tens of MiB of text. Made whole,
//! the records, a `serde_json::Value` of them and the text were all held
//! at once, for as long as the slowest client took to read it: hundreds
//! of MiB per download. Here the small rest of the document is made first
//! (its frame, see [`knead_export::spliced`]); then the sessions are read
//! [`PAGE`] at a time ([`knead_app::Own::sessions_page`]) and each page is
//! written out and sent before the next is read, so a download holds one
//! page, whatever the journal's length. The text is the same as the whole
//! document's.
//!
//! A patient's list of sessions (`GET /api/v1/sessions`) is sent the same
//! way, a page of summaries at a time ([`history`]).
//!
//! The status and headers are sent before the sessions are read: should
//! the store fail half-way, the connection is cut, so the client sees a
//! download that failed rather than a short document that looks whole.

use crate::AppState;
use axum::body::{Body, Bytes};
use knead_core::records::{PersonId, SessionRecord};
use knead_export::spliced::Spliced;
use knead_store::{Period, SessionKey};
use std::sync::Arc;

/// Sessions read and written at a time.
pub const PAGE: u32 = 500;

/// Where a download is.
enum Step {
    /// The sessions after this key are still to be written.
    Reading { after: Option<SessionKey>, frame: Spliced },
    /// Everything is sent.
    Done,
}

/// `person`'s sessions written into the gap of `frame`, each by `write`
/// (which calls [`Spliced::element`] for what stands for it), as a body
/// sent a page at a time.
pub fn sessions_into<W>(state: AppState, person: PersonId, frame: Spliced, write: W) -> Body
where
    W: Fn(&SessionRecord, &mut Spliced) -> String + Send + Sync + 'static,
{
    let first = Step::Reading { after: None, frame };
    let write = Arc::new(write);
    let pages = futures_util::stream::try_unfold(first, move |step| {
        let (state, write) = (state.clone(), Arc::clone(&write));
        async move {
            let Step::Reading { after, mut frame } = step else { return Ok(None) };
            let page = state.app.patient(person).sessions_page(after, PAGE).await.inspect_err(|e| {
                tracing::error!(error = %e, "a download stopped: the journal could not be read");
            })?;
            let Some(last) = page.last().map(SessionKey::of) else {
                return Ok(Some((Bytes::from(frame.finish()), Step::Done)));
            };
            let text: String = page.iter().map(|session| write(session, &mut frame)).collect();
            Ok::<_, knead_app::Error>(Some((Bytes::from(text), Step::Reading { after: Some(last), frame })))
        }
    });
    Body::from_stream(pages)
}

/// A history answer kept whole for the next request at most, in bytes
/// (see [`history`]): two years of daily sessions is ~140 KB.
pub const HISTORY_KEPT_MAX: usize = 512 << 10;

/// Where a history is.
enum History {
    /// The sessions after this key are still to be written; what was
    /// written so far while it is short enough to keep.
    Reading { after: Option<SessionKey>, kept: Option<Vec<u8>> },
    /// Everything is sent.
    Done,
}

/// `person`'s sessions in `period` as a JSON array of summaries, oldest
/// first (the same text as the array made whole), read and sent a page at
/// a time. An answer of at most [`HISTORY_KEPT_MAX`] bytes is kept in
/// [`AppState::histories`] with the journal `version` read before it, so
/// the next request for it while the journal is the same is not read
/// again; a longer one is not kept (it would hold the journal).
pub fn history(state: AppState, person: PersonId, period: Period, version: i64) -> Body {
    let first = History::Reading { after: None, kept: Some(Vec::new()) };
    let pages = futures_util::stream::try_unfold(first, move |step| {
        let state = state.clone();
        async move {
            let History::Reading { after, mut kept } = step else { return Ok(None) };
            let page =
                state.app.patient(person).summaries_page(period, after, PAGE).await.inspect_err(|e| {
                    tracing::error!(error = %e, "a history stopped: the journal could not be read");
                })?;
            let mut text = Vec::new();
            for summary in &page {
                text.push(if after.is_none() && text.is_empty() { b'[' } else { b',' });
                serde_json::to_writer(&mut text, summary).map_err(|e| {
                    tracing::error!(error = %e, "a history stopped: a summary could not be written");
                    knead_app::Error::Internal(e.to_string())
                })?;
            }
            let last = page.last().map(SessionKey::of_summary);
            if last.is_none() {
                text.extend_from_slice(if after.is_none() { b"[]" } else { b"]" });
            }
            kept = kept.filter(|k| k.len() + text.len() <= HISTORY_KEPT_MAX).map(|mut k| {
                k.extend_from_slice(&text);
                k
            });
            let next = match last {
                Some(last) => History::Reading { after: Some(last), kept },
                None => {
                    if let Some(whole) = kept {
                        let whole = Bytes::from(whole);
                        state.histories.put((person, period), version, whole.len(), Arc::new(whole));
                    }
                    History::Done
                }
            };
            Ok::<_, knead_app::Error>(Some((Bytes::from(text), next)))
        }
    });
    Body::from_stream(pages)
}
