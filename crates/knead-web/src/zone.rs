//! The person's time zone, so that the pages show times and days as the
//! person lives them: an evening session in New York is on that evening's
//! day, not on tomorrow's, as UTC would have it.
//!
//! The browser names its IANA zone in the `knead_tz` cookie (static/app.js
//! sets it on every page). It is neither a secret nor trusted: anything
//! that is not a zone's name counts as no zone. Without a zone the pages
//! count in UTC and say so next to every time, so that a time is never
//! read in the wrong zone.
//!
//! A zone rather than an offset: a past moment is shown with the offset
//! its zone had then, across daylight-saving changes. Clinical days (the
//! daily limits, the pain trend) are cut as the API cuts them, with the one
//! offset a device sends as `utc_offset_minutes`: [`LocalZone::offset`] is
//! the zone's offset now, which is what the browser sends the API.

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use knead_app::Zone;
use std::convert::Infallible;

/// The cookie that names the browser's zone.
pub const COOKIE_NAME: &str = "knead_tz";

/// No zone's name is longer than this ("America/Argentina/ComodRivadavia"
/// is 32): a longer value is not looked up at all.
const LONGEST_NAME: usize = 64;

/// The zone a page counts in, and the moment the page is made (for
/// "today" and whether a date needs its year).
#[derive(Debug, Clone, Copy)]
pub struct LocalZone {
    /// `None`: no zone was named (or not a real one), so UTC, said.
    zone: Option<Tz>,
    now: DateTime<Utc>,
}

impl FromRequestParts<AppState> for LocalZone {
    type Rejection = Infallible;

    /// Never refuses: a missing or unusable cookie is UTC. The value is
    /// never logged (it is whatever the client chose to send).
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(LocalZone::new(named_zone(&parts.headers), state.config.now.now()))
    }
}

/// The zone named by the request's `knead_tz` cookie, if it is one.
fn named_zone(headers: &HeaderMap) -> Option<Tz> {
    crate::auth::cookie(headers, COOKIE_NAME).and_then(zone_named)
}

/// The zone called `name` exactly (`Europe/Berlin`), or `None`.
fn zone_named(name: &str) -> Option<Tz> {
    if name.len() > LONGEST_NAME {
        return None;
    }
    name.parse().ok()
}

impl LocalZone {
    /// Counting in `zone` (UTC, said, when `None`) at `now`.
    pub fn new(zone: Option<Tz>, now: DateTime<Utc>) -> Self {
        Self { zone, now }
    }

    /// The zone's offset from UTC now: what the person's device sends the
    /// API as `utc_offset_minutes`, so the days a page judges are the days
    /// the API judges.
    pub fn offset(&self) -> FixedOffset {
        self.zone.map_or(Utc.fix(), |tz| tz.offset_from_utc_datetime(&self.now.naive_utc()).fix())
    }

    /// [`Self::offset`] in minutes east of UTC, as a form's hidden
    /// `utc_offset_minutes` carries it.
    pub fn offset_minutes(&self) -> i32 {
        self.offset().local_minus_utc() / 60
    }

    /// The person's day now.
    pub fn today(&self) -> NaiveDate {
        Zone::Fixed(self.offset()).day(self.now)
    }

    /// A moment in words, in the person's zone: "Tue 24 Nov, 19:36" (with
    /// the year when it is not this year's); "… UTC" without a zone. The
    /// spaces within the day, and before "UTC", do not break: in a narrow
    /// table column it wraps only after the comma.
    pub fn when(&self, at: DateTime<Utc>) -> String {
        let (local, utc) = match self.zone {
            Some(tz) => (at.with_timezone(&tz).naive_local(), ""),
            None => (at.naive_utc(), "\u{a0}UTC"),
        };
        format!("{}, {}{utc}", self.day(local.date()), local.format("%H:%M"))
    }

    /// A day in words: "Tue 24 Nov" (with the year when it is not this
    /// year's), with spaces that do not break.
    pub fn day(&self, day: NaiveDate) -> String {
        let format = if day.year() == self.today().year() {
            "%a\u{a0}%-d\u{a0}%b"
        } else {
            "%a\u{a0}%-d\u{a0}%b\u{a0}%Y"
        };
        day.format(format).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use axum::http::header::COOKIE;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// Written with plain spaces, to compare.
    fn plain(written: String) -> String {
        written.replace('\u{a0}', " ")
    }

    fn in_zone(name: &str, now: &str) -> LocalZone {
        LocalZone::new(Some(zone_named(name).unwrap()), at(now))
    }

    #[test]
    fn a_moment_is_written_in_the_zone_with_the_offset_it_had_then() {
        let berlin = in_zone("Europe/Berlin", "2026-11-24T12:00:00Z");
        // Winter (UTC+1) and summer (UTC+2) time on either side of 29 March 2026.
        assert_eq!(plain(berlin.when(at("2026-03-28T18:00:00Z"))), "Sat 28 Mar, 19:00");
        assert_eq!(plain(berlin.when(at("2026-03-30T17:00:00Z"))), "Mon 30 Mar, 19:00");
        assert_eq!(berlin.offset_minutes(), 60);
        let new_york = in_zone("America/New_York", "2026-11-24T12:00:00Z");
        assert_eq!(plain(new_york.when(at("2026-11-24T03:30:00Z"))), "Mon 23 Nov, 22:30");
        assert_eq!(
            plain(new_york.when(at("2025-11-24T03:30:00Z"))),
            "Sun 23 Nov 2025, 22:30",
            "another year"
        );
        assert_eq!(new_york.offset_minutes(), -300);
    }

    #[test]
    fn without_a_zone_it_is_utc_and_says_so() {
        let utc = LocalZone::new(None, at("2026-11-24T12:00:00Z"));
        assert_eq!(plain(utc.when(at("2026-11-24T03:30:00Z"))), "Tue 24 Nov, 03:30 UTC");
        assert_eq!(
            utc.when(at("2026-11-24T03:30:00Z")),
            "Tue\u{a0}24\u{a0}Nov, 03:30\u{a0}UTC",
            "breaks only after the comma"
        );
        assert_eq!(utc.offset(), Utc.fix());
        assert_eq!(plain(utc.day(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap())), "Fri 1 Jan 2027");
    }

    #[test]
    fn today_is_the_persons_day() {
        // 03:30 UTC on the 24th is still the 23rd in New York, already the 24th in Tokyo.
        assert_eq!(in_zone("America/New_York", "2026-11-24T03:30:00Z").today().to_string(), "2026-11-23");
        assert_eq!(in_zone("Asia/Tokyo", "2026-11-23T20:00:00Z").today().to_string(), "2026-11-24");
    }

    #[test]
    fn only_a_zones_exact_name_is_a_zone() {
        for name in ["Europe/Berlin", "America/Argentina/ComodRivadavia", "UTC", "Etc/GMT+5"] {
            assert!(zone_named(name).is_some(), "{name}");
        }
        let long = "A".repeat(500);
        for name in
            ["", "../../etc", "Europe/Berlin<script>", "europe/berlin", " Europe/Berlin", long.as_str()]
        {
            assert!(zone_named(name).is_none(), "{name}");
        }
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("knead=secret; knead_tz=Asia/Tokyo"));
        assert_eq!(named_zone(&headers), Some(chrono_tz::Asia::Tokyo));
        headers.insert(COOKIE, HeaderValue::from_static("knead_tz=Mars/Olympus"));
        assert_eq!(named_zone(&headers), None);
    }
}
