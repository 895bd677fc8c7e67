use ::ical::parser::ical::component::{IcalCalendar, IcalEvent};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use knead_export::ical::{self, ReminderPlan};

fn time(text: &str) -> NaiveTime {
    NaiveTime::parse_from_str(text, "%H:%M").unwrap()
}

fn plan() -> ReminderPlan {
    ReminderPlan {
        // Unsorted on purpose: the events come out sorted.
        times: vec![time("19:00"), time("08:00"), time("13:00")],
        start: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        days: 28,
    }
}

fn stamp() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T09:15:00Z").unwrap().with_timezone(&Utc)
}

fn parse(text: &str) -> IcalCalendar {
    let mut parser = ::ical::IcalParser::new(text.as_bytes());
    let calendar = parser.next().expect("one calendar").expect("the calendar parses");
    assert!(parser.next().is_none(), "only one calendar");
    calendar
}

fn value<'a>(properties: &'a [::ical::property::Property], name: &str) -> &'a str {
    let mut found = properties.iter().filter(|p| p.name == name);
    let property = found.next().unwrap_or_else(|| panic!("no {name}"));
    assert!(found.next().is_none(), "{name} appears once");
    property.value.as_deref().unwrap_or("")
}

fn event_value<'a>(event: &'a IcalEvent, name: &str) -> &'a str {
    value(&event.properties, name)
}

/// The calendar with `UID` and `DTSTAMP` redacted (checked by the tests
/// below), for a snapshot of the rest.
fn redacted(text: &str) -> String {
    text.split_inclusive("\r\n")
        .map(|line| match line.split_once(':') {
            Some(("UID", _)) => "UID:[id]\r\n".to_owned(),
            Some(("DTSTAMP", _)) => "DTSTAMP:[time]\r\n".to_owned(),
            _ => line.to_owned(),
        })
        .collect()
}

#[test]
fn reminders_snapshot() {
    insta::assert_snapshot!(redacted(&ical::reminders(&plan(), stamp())));
}

#[test]
fn one_daily_event_per_time_with_an_alarm() {
    let calendar = parse(&ical::reminders(&plan(), stamp()));
    assert_eq!(value(&calendar.properties, "VERSION"), "2.0");
    assert_eq!(calendar.events.len(), 3);
    let starts: Vec<&str> = calendar.events.iter().map(|e| event_value(e, "DTSTART")).collect();
    assert_eq!(starts, ["20261124T080000", "20261124T130000", "20261124T190000"]);
    for event in &calendar.events {
        assert_eq!(event_value(event, "RRULE"), "FREQ=DAILY;COUNT=28");
        assert_eq!(event_value(event, "SUMMARY"), ical::SUMMARY);
        assert_eq!(event_value(event, "DTSTAMP"), "20261124T091500Z");
        // Floating local time: no time zone on the start.
        assert!(event.properties.iter().find(|p| p.name == "DTSTART").unwrap().params.is_none());
        let description = event_value(event, "DESCRIPTION");
        assert!(description.contains("knuckle massage") && description.contains("knead start."));
        assert_eq!(event.alarms.len(), 1);
        let alarm = &event.alarms[0].properties;
        assert_eq!(value(alarm, "ACTION"), "DISPLAY");
        assert_eq!(value(alarm, "TRIGGER"), "-PT5M");
        assert!(!value(alarm, "DESCRIPTION").is_empty());
    }
}

#[test]
fn uids_are_distinct_and_stable() {
    let first = parse(&ical::reminders(&plan(), stamp()));
    let uids: Vec<&str> = first.events.iter().map(|e| event_value(e, "UID")).collect();
    let mut distinct = uids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3);
    assert_eq!(uids[0], ical::uid(time("08:00"), plan().start).to_string());

    // Another export, later: the same events (only DTSTAMP moves).
    let later = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().with_timezone(&Utc);
    let again = parse(&ical::reminders(&plan(), later));
    let uids_again: Vec<&str> = again.events.iter().map(|e| event_value(e, "UID")).collect();
    assert_eq!(uids, uids_again);

    // Another start date: new events.
    let moved = ReminderPlan { start: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), ..plan() };
    let other = parse(&ical::reminders(&moved, stamp()));
    assert!(other.events.iter().all(|e| !uids.contains(&event_value(e, "UID"))));
}

#[test]
fn lines_end_in_crlf_and_fit_in_75_octets() {
    let text = ical::reminders(&plan(), stamp());
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert!(lines.iter().all(|l| !l.contains('\n') && !l.contains('\r')), "every line ends in CRLF");
    assert!(lines.iter().all(|l| l.len() <= ical::MAX_LINE_OCTETS), "a line is longer than 75 octets");
    // The description is long enough to be folded.
    assert!(lines.iter().any(|l| l.starts_with(' ')));
}

#[test]
fn days_and_duplicate_times() {
    let plan = ReminderPlan { times: vec![time("07:30"), time("07:30")], days: 1, ..plan() };
    let calendar = parse(&ical::reminders(&plan, stamp()));
    assert_eq!(calendar.events.len(), 1);
    assert_eq!(event_value(&calendar.events[0], "RRULE"), "FREQ=DAILY;COUNT=1");
    assert_eq!(event_value(&calendar.events[0], "DTSTART"), "20261124T073000");
}
