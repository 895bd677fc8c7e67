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
//! The status and headers are sent before the sessions are read: should
//! the store fail half-way, the connection is cut, so the client sees a
//! download that failed rather than a short document that looks whole.

use crate::AppState;
use axum::body::{Body, Bytes};
use knead_core::records::{PersonId, SessionRecord};
use knead_export::spliced::Spliced;
use knead_store::SessionKey;
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
