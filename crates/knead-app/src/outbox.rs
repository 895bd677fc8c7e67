//! Sending what was queued: claim what is due, hand it to the mail
//! server or the push service, forget it once sent, and try again later
//! when they fail, waiting longer each time, until [`GIVE_UP_AFTER`]
//! tries. A push service that says a device is gone has the device
//! forgotten too.
//!
//! The mail server and the push services are an interface's
//! ([`Transport`]); when to try again and when to stop are the
//! application's, so every server sending from one outbox follows one rule.

use crate::{App, Result};
use chrono::TimeDelta;
use knead_store::mail::{Mail, Mailing, Recipient};
use std::future::Future;

/// How long a claimed mail is left to its sender before another server
/// may take it: longer than a mail server takes to answer.
pub const LEASE: TimeDelta = TimeDelta::minutes(2);

/// Mails claimed at a time.
pub const BATCH: u32 = 20;

/// Tries before a mail is given up: with [`retry_after`], 28 hours of a
/// mail server that does not answer.
pub const GIVE_UP_AFTER: u32 = 16;

/// Why a mail was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsent {
    /// It may go later: why not now, in words for the log (no address, no
    /// content).
    Later(String),
    /// Its device is gone: the push service will never take it.
    Gone,
}

/// Where mail goes out: the operator's mail server, and the push services.
pub trait Transport: Send + Sync {
    /// Send `mail`, or say why not.
    fn send(&self, mail: &Mail) -> impl Future<Output = std::result::Result<(), Unsent>> + Send;
}

/// How long to wait before try `attempts + 1`: 30 seconds, doubled each
/// time, at most 4 hours.
pub fn retry_after(attempts: u32) -> TimeDelta {
    let doubled = 30_i64.saturating_mul(1_i64 << attempts.saturating_sub(1).min(20));
    TimeDelta::seconds(doubled.min(4 * 60 * 60))
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    /// Sent and forgotten.
    pub sent: usize,
    /// Failed, to be tried again.
    pub retrying: usize,
    /// Failed for the last time, and forgotten.
    pub given_up: usize,
    /// For a device that is gone: forgotten with the device.
    pub gone: usize,
}

impl<S: Mailing> App<S> {
    /// Send through `transport` what is due now, at most [`BATCH`].
    pub async fn deliver_due<T: Transport>(&self, transport: &T) -> Result<Delivered> {
        let now = self.now();
        let mut done = Delivered::default();
        for claimed in self.store.claim_mail(now, now + LEASE, BATCH).await? {
            let id = claimed.mail.id;
            match transport.send(&claimed.mail).await {
                Ok(()) => {
                    self.store.forget_mail(id).await?;
                    done.sent += 1;
                }
                Err(Unsent::Gone) => {
                    if let Recipient::Push(device) = &claimed.mail.to {
                        self.store.push_gone(&device.endpoint).await?;
                    }
                    self.store.forget_mail(id).await?;
                    done.gone += 1;
                }
                Err(Unsent::Later(why)) if claimed.attempts >= GIVE_UP_AFTER => {
                    tracing::error!(mail = %id, attempts = claimed.attempts, why, "mail given up");
                    self.store.forget_mail(id).await?;
                    done.given_up += 1;
                }
                Err(Unsent::Later(why)) => {
                    tracing::warn!(mail = %id, attempts = claimed.attempts, why, "mail not sent; will try again");
                    self.store.retry_mail(id, self.now() + retry_after(claimed.attempts)).await?;
                    done.retrying += 1;
                }
            }
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tries_wait_longer_each_time_up_to_four_hours() {
        let waits: Vec<i64> = (1..=GIVE_UP_AFTER).map(|n| retry_after(n).num_seconds()).collect();
        assert_eq!(&waits[..4], [30, 60, 120, 240]);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(retry_after(u32::MAX).num_hours(), 4);
        let total: i64 = waits[..waits.len() - 1].iter().sum();
        assert!((24 * 3600..48 * 3600).contains(&total), "more than a day: {total} s");
    }
}
