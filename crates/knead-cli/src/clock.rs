//! The real clocks, the only place Knead reads the time.
//!
//! The core takes time as [`Tick`]s from a [`Clock`]; this is the clock the
//! terminal uses. A hidden `--time-scale` makes it run faster for demos and
//! end-to-end tests; a person never needs it.

use chrono::{DateTime, Utc};
use knead_core::clock::{Clock, Tick};
use std::time::Instant;

/// Monotonic milliseconds since the clock was made, optionally sped up.
pub struct SystemClock {
    origin: Instant,
    scale: u32,
}

impl SystemClock {
    /// A clock that runs `scale` times faster than real time (1 = real time).
    #[allow(clippy::disallowed_methods, reason = "the one real monotonic clock")]
    pub fn new(scale: u32) -> Self {
        SystemClock { origin: Instant::now(), scale: scale.max(1) }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Tick {
        let real = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        Tick(real.saturating_mul(u64::from(self.scale)))
    }
}

/// The wall-clock time, for the journal.
#[allow(clippy::disallowed_methods, reason = "the one wall clock")]
pub fn now_utc() -> DateTime<Utc> {
    Utc::now()
}
