//! The server's clock, behind a trait so tests can fix the time. The only
//! place in this crate allowed to read the system clock.

use chrono::{DateTime, Utc};

/// Tells the time.
pub trait Now: Send + Sync {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy)]
pub struct SystemNow;

impl Now for SystemNow {
    #[allow(clippy::disallowed_methods, reason = "the one place the web app reads the system clock")]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
