//! Whole numbers with a fixed allowed range: an age, a pain score, a number
//! of days or seconds. A value outside the range cannot be built, and the
//! error for one names the range.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A value was outside its allowed range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value} is out of range; allowed: a whole number from {min} to {max}")]
pub struct OutOfRange {
    /// The value given.
    pub value: i64,
    /// The smallest allowed value.
    pub min: i64,
    /// The largest allowed value.
    pub max: i64,
}

macro_rules! bounded {
    ($(#[$meta:meta])* $name:ident($inner:ty), $min:expr, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name($inner);

        impl $name {
            /// The smallest allowed value.
            pub const MIN: $inner = $min;
            /// The largest allowed value.
            pub const MAX: $inner = $max;

            /// The value, if it is in range.
            pub fn new(value: i64) -> Result<Self, OutOfRange> {
                if (Self::MIN as i64..=Self::MAX as i64).contains(&value) {
                    Ok(Self(value as $inner))
                } else {
                    Err(OutOfRange { value, min: Self::MIN as i64, max: Self::MAX as i64 })
                }
            }

            /// The plain number.
            pub fn get(self) -> $inner {
                self.0
            }
        }

        /// An integer with the range in the schema, as the API document
        /// describes it.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::Integer)
                    .minimum(Some(Self::MIN))
                    .maximum(Some(Self::MAX))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Visit;
                impl serde::de::Visitor<'_> for Visit {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "a whole number from {} to {}", $name::MIN, $name::MAX)
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$name, E> {
                        $name::new(v).map_err(E::custom)
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$name, E> {
                        $name::new(i64::try_from(v).unwrap_or(i64::MAX)).map_err(E::custom)
                    }
                }
                d.deserialize_i64(Visit)
            }
        }
    };
}

bounded! {
    /// Pain on the 0-10 numeric rating scale.
    PainScore(u8), 0, 10
}

bounded! {
    /// Age in whole years.
    Age(u8), 0, 120
}

bounded! {
    /// Days since this episode of pain began (0 = today).
    DurationDays(u16), 0, 36_500
}

bounded! {
    /// Global rating of change since starting: -3 (very much worse) to +3
    /// (very much better), 0 = no change. A 7-point scale in the manner of
    /// the Patient Global Impression of Change.
    ChangeRating(i8), -3, 3
}
