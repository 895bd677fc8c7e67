//! The clock of the use cases, behind a trait so tests can fix the time.
//! The only place in the application layer allowed to read the system clock;
//! the web server and the terminal both hand one to [`crate::App`].

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
    #[allow(
        clippy::disallowed_methods,
        reason = "the one place the application layer reads the system clock"
    )]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
