//! The home program as iCalendar (RFC 5545) reminders, for a calendar app.
//!
//! One daily recurring `VEVENT` per time of day, each with a display alarm
//! five minutes before. Written by hand rather than through a crate: the
//! format is a handful of lines, and writing it here keeps CRLF line endings
//! and folding at 75 octets (on character boundaries) under this module's
//! control and test.
//!
//! Start times are *floating* local times (`DTSTART:20261124T080000`, no `Z`,
//! no `TZID`): a reminder at 08:00 rings at 08:00 wall-clock time wherever the
//! person is, through daylight-saving changes. A `TZID` would need a full
//! `VTIMEZONE` definition in the file (RFC 5545 §3.2.19) for no gain here.
//!
//! Each `UID` is a UUID v5 of the time of day and the start date, so
//! exporting the same plan again gives identical events and a calendar
//! updates them instead of adding copies. `DTSTAMP` is passed in: nothing
//! here reads the clock.

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use uuid::Uuid;

/// The title of every reminder.
pub const SUMMARY: &str = "Knead: mid-back self-massage";

/// What a session is, shown in the event.
pub const DESCRIPTION: &str = "About 10 minutes: knuckle massage, then foam roller if you have one. \
     Screen first: knead start.";

/// What the alarm shows, five minutes before.
const ALARM_DESCRIPTION: &str = "Knead: mid-back self-massage in 5 minutes";

/// The longest line, in octets, before it is folded (RFC 5545 §3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// The namespace of the UUID v5 `UID`s (a fixed random UUID; changing it
/// changes every exported `UID`).
const UID_NAMESPACE: Uuid = Uuid::from_u128(0x5d0c_2a7e_93b1_4f6e_a8d4_61c2_0f3b_97e5);

/// Which reminders to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderPlan {
    /// The times of day, local. Written sorted, each once.
    pub times: Vec<NaiveTime>,
    /// The first day.
    pub start: NaiveDate,
    /// How many days each reminder repeats (`RRULE:FREQ=DAILY;COUNT=days`).
    pub days: u32,
}

/// The reminders as an iCalendar file: CRLF line endings, lines folded at
/// [`MAX_LINE_OCTETS`], one event per time of day, `stamp` as every event's
/// `DTSTAMP`.
pub fn reminders(plan: &ReminderPlan, stamp: DateTime<Utc>) -> String {
    let mut times = plan.times.clone();
    times.sort();
    times.dedup();
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::new();
    let mut line = |text: &str| push_folded(&mut out, text);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Knead//Knead reminders//EN");
    line("CALSCALE:GREGORIAN");
    for time in times {
        let time = time.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(time);
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", uid(time, plan.start)));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART:{}", plan.start.and_time(time).format("%Y%m%dT%H%M%S")));
        line("DURATION:PT10M");
        line(&format!("RRULE:FREQ=DAILY;COUNT={}", plan.days));
        line(&format!("SUMMARY:{}", escape(SUMMARY)));
        line(&format!("DESCRIPTION:{}", escape(DESCRIPTION)));
        line("TRANSP:TRANSPARENT");
        line("BEGIN:VALARM");
        line("ACTION:DISPLAY");
        line("TRIGGER:-PT5M");
        line(&format!("DESCRIPTION:{}", escape(ALARM_DESCRIPTION)));
        line("END:VALARM");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// The `UID` of the reminder at `time` from `start`.
pub fn uid(time: NaiveTime, start: NaiveDate) -> Uuid {
    let name = format!("knead/reminder/{}/{}", start.format("%Y-%m-%d"), time.format("%H:%M"));
    Uuid::new_v5(&UID_NAMESPACE, name.as_bytes())
}

/// A TEXT value with `\`, `;`, `,` and line breaks escaped (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Append `line` and CRLF, folded so that no physical line exceeds
/// [`MAX_LINE_OCTETS`] octets (a continuation starts with one space) and no
/// UTF-8 character is split.
fn push_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_characters_whole_and_lines_short() {
        let mut out = String::new();
        let line = format!("DESCRIPTION:{}", "é".repeat(100));
        push_folded(&mut out, &line);
        assert!(out.split("\r\n").all(|l| l.len() <= MAX_LINE_OCTETS));
        assert_eq!(out.replace("\r\n ", ""), format!("{line}\r\n"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }
}
