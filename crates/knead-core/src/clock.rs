//! Time comes from outside the core.
//!
//! The session engine never reads a clock or sleeps: every call carries the
//! moment it happens as a [`Tick`]. Interfaces read a real monotonic clock
//! through [`Clock`]; tests drive a [`ManualClock`] and need no sleeping.

use std::cell::Cell;
use std::ops::{Add, Sub};

/// A moment on a monotonic clock, in milliseconds from an arbitrary origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Tick(pub u64);

impl Add<u64> for Tick {
    type Output = Tick;
    fn add(self, ms: u64) -> Tick {
        Tick(self.0.saturating_add(ms))
    }
}

impl Sub for Tick {
    type Output = u64;
    /// Milliseconds from `other` to `self`, zero if `other` is later.
    fn sub(self, other: Tick) -> u64 {
        self.0.saturating_sub(other.0)
    }
}

/// A source of [`Tick`]s.
pub trait Clock {
    /// The current moment.
    fn now(&self) -> Tick;
}

/// A clock that moves only when told to.
#[derive(Debug, Default)]
pub struct ManualClock(Cell<u64>);

impl ManualClock {
    /// A clock at `ms`.
    pub fn at(ms: u64) -> Self {
        Self(Cell::new(ms))
    }

    /// Move the clock forward.
    pub fn advance(&self, ms: u64) {
        self.0.set(self.0.get() + ms);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Tick {
        Tick(self.0.get())
    }
}
