//! The home program as iCalendar (RFC 5545) reminders, for a calendar app.
//!
//! Two shapes: [`reminders`] writes a file to import once (`knead remind`),
//! one daily recurring `VEVENT` per time of day; [`feed`] writes a feed a
//! calendar app subscribes to (the web's private calendar address), one
//! `VEVENT` per day and time for a window of days, so that a home program's
//! days and last day are exact. Each event has a display alarm five minutes
//! before. Written by hand rather than through a crate: the
//! format is a handful of lines, and writing it here keeps CRLF line endings
//! and folding at 75 octets (on character boundaries) under this module's
//! control and test.
//!
//! Start times are *floating* local times (`DTSTART:20261124T080000`, no `Z`,
//! no `TZID`): a reminder at 08:00 rings at 08:00 wall-clock time wherever the
//! person is, through daylight-saving changes. A `TZID` would need a full
//! `VTIMEZONE` definition in the file (RFC 5545 §3.2.19) for no gain here.
//!
//! Each `UID` is a UUID v5 of the time of day and the start date (in a
//! feed: of its scope, the day and the time), so exporting the same plan
//! again gives identical events and a calendar updates them instead of
//! adding copies. `DTSTAMP` is passed in: nothing
//! here reads the clock.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
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
    let mut out = Writer::new(stamp, &[]);
    for time in sorted(&plan.times) {
        out.event(&Event {
            uid: uid(time, plan.start),
            start: plan.start.and_time(time),
            rule: Some(format!("FREQ=DAILY;COUNT={}", plan.days)),
            description: DESCRIPTION,
            note: None,
        });
    }
    out.finish()
}

/// Reminders on chosen days, for a calendar app that subscribes to them
/// (a feed it polls) rather than importing a file once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedPlan {
    /// The times of day, local (floating, like [`ReminderPlan`]'s).
    /// Written sorted, each once.
    pub times: Vec<NaiveTime>,
    /// The days with reminders. Written in order, each once.
    pub days: Vec<NaiveDate>,
    /// Added to each event's description, e.g. a clinician's note.
    pub note: Option<String>,
    /// What makes this feed's `UID`s its own (e.g. the person's id): two
    /// people's reminders at the same time are different events.
    pub scope: String,
}

/// How often a subscribed calendar should fetch the feed again (RFC 7986
/// `REFRESH-INTERVAL`, and `X-PUBLISHED-TTL` for the apps that read that).
pub const FEED_REFRESH: &str = "PT6H";

/// The feed's name in a calendar app.
pub const FEED_NAME: &str = "Knead reminders";

/// What a session is, in a subscribed feed (the web app, not the terminal).
pub const FEED_DESCRIPTION: &str = "About 10 minutes: knuckle massage, then foam roller if you have one. \
     Screen first: open Knead and press Start.";

/// The feed as an iCalendar file: one event per day and time, no
/// recurrence, each with the alarm of [`reminders`]. A feed is written
/// again on each poll, so a window of days that moves with the calendar
/// never runs out; each event's `UID` depends only on the scope, the day
/// and the time, so an event keeps its identity from one poll to the next.
pub fn feed(plan: &FeedPlan, stamp: DateTime<Utc>) -> String {
    let refresh = format!("REFRESH-INTERVAL;VALUE=DURATION:{FEED_REFRESH}");
    let ttl = format!("X-PUBLISHED-TTL:{FEED_REFRESH}");
    let header =
        [format!("NAME:{}", escape(FEED_NAME)), format!("X-WR-CALNAME:{}", escape(FEED_NAME)), refresh, ttl];
    let mut out = Writer::new(stamp, &header);
    let mut days = plan.days.clone();
    days.sort();
    days.dedup();
    let times = sorted(&plan.times);
    for day in days {
        for &time in &times {
            let name =
                format!("knead/feed/{}/{}/{}", plan.scope, day.format("%Y-%m-%d"), time.format("%H:%M"));
            out.event(&Event {
                uid: Uuid::new_v5(&UID_NAMESPACE, name.as_bytes()),
                start: day.and_time(time),
                rule: None,
                description: FEED_DESCRIPTION,
                note: plan.note.as_deref(),
            });
        }
    }
    out.finish()
}

/// `times` sorted, each once, to the minute.
fn sorted(times: &[NaiveTime]) -> Vec<NaiveTime> {
    let mut times: Vec<NaiveTime> =
        times.iter().map(|&t| t.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(t)).collect();
    times.sort();
    times.dedup();
    times
}

/// One reminder event.
struct Event<'a> {
    uid: Uuid,
    /// Local (floating) start.
    start: NaiveDateTime,
    /// The `RRULE`, if it repeats.
    rule: Option<String>,
    description: &'a str,
    /// A paragraph after the description.
    note: Option<&'a str>,
}

/// An iCalendar file being written: the calendar's lines, then events.
struct Writer {
    out: String,
    stamp: String,
}

impl Writer {
    /// Begin a calendar with `extra` lines after the standard ones.
    fn new(stamp: DateTime<Utc>, extra: &[String]) -> Self {
        let mut writer = Self { out: String::new(), stamp: stamp.format("%Y%m%dT%H%M%SZ").to_string() };
        writer.line("BEGIN:VCALENDAR");
        writer.line("VERSION:2.0");
        writer.line("PRODID:-//Knead//Knead reminders//EN");
        writer.line("CALSCALE:GREGORIAN");
        for line in extra {
            writer.line(line);
        }
        writer
    }

    fn line(&mut self, text: &str) {
        push_folded(&mut self.out, text);
    }

    fn event(&mut self, event: &Event<'_>) {
        let description = match event.note {
            Some(note) => format!("{}\n\n{note}", event.description),
            None => event.description.to_owned(),
        };
        self.line("BEGIN:VEVENT");
        self.line(&format!("UID:{}", event.uid));
        let stamp = format!("DTSTAMP:{}", self.stamp);
        self.line(&stamp);
        self.line(&format!("DTSTART:{}", event.start.format("%Y%m%dT%H%M%S")));
        self.line("DURATION:PT10M");
        if let Some(rule) = &event.rule {
            self.line(&format!("RRULE:{rule}"));
        }
        self.line(&format!("SUMMARY:{}", escape(SUMMARY)));
        self.line(&format!("DESCRIPTION:{}", escape(&description)));
        self.line("TRANSP:TRANSPARENT");
        self.line("BEGIN:VALARM");
        self.line("ACTION:DISPLAY");
        self.line("TRIGGER:-PT5M");
        self.line(&format!("DESCRIPTION:{}", escape(ALARM_DESCRIPTION)));
        self.line("END:VALARM");
        self.line("END:VEVENT");
    }

    fn finish(mut self) -> String {
        self.line("END:VCALENDAR");
        self.out
    }
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
