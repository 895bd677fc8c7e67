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

fn feed_plan() -> ical::FeedPlan {
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    ical::FeedPlan {
        // Unsorted and repeated on purpose: written in order, each once.
        times: vec![time("13:00"), time("08:00")],
        days: vec![day(26), day(24), day(26)],
        note: Some("Stop if it tingles; slow down, then rest.".to_owned()),
        scope: "person-1".to_owned(),
    }
}

#[test]
fn a_feed_has_one_event_per_day_and_time_without_recurrence() {
    let calendar = parse(&ical::feed(&feed_plan(), stamp()));
    assert_eq!(value(&calendar.properties, "X-WR-CALNAME"), ical::FEED_NAME);
    assert_eq!(value(&calendar.properties, "REFRESH-INTERVAL"), ical::FEED_REFRESH);
    assert_eq!(value(&calendar.properties, "X-PUBLISHED-TTL"), ical::FEED_REFRESH);
    let starts: Vec<&str> = calendar.events.iter().map(|e| event_value(e, "DTSTART")).collect();
    assert_eq!(starts, ["20261124T080000", "20261124T130000", "20261126T080000", "20261126T130000"]);
    for event in &calendar.events {
        assert!(event.properties.iter().all(|p| p.name != "RRULE"), "no recurrence");
        assert!(event.properties.iter().find(|p| p.name == "DTSTART").unwrap().params.is_none());
        let description = event_value(event, "DESCRIPTION");
        assert!(description.starts_with("About 10 minutes"), "{description}");
        assert!(
            description.ends_with("\\n\\nStop if it tingles\\; slow down\\, then rest."),
            "{description}"
        );
        assert_eq!(event.alarms.len(), 1);
        assert_eq!(value(&event.alarms[0].properties, "TRIGGER"), "-PT5M");
    }
    let text = ical::feed(&feed_plan(), stamp());
    assert!(text.split_terminator("\r\n").all(|l| l.len() <= ical::MAX_LINE_OCTETS));
}

#[test]
fn a_feeds_uids_are_stable_per_day_and_time_and_its_own() {
    let uids = |plan: &ical::FeedPlan, at| -> Vec<String> {
        parse(&ical::feed(plan, at)).events.iter().map(|e| event_value(e, "UID").to_owned()).collect()
    };
    let first = uids(&feed_plan(), stamp());
    let mut distinct = first.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 4);
    let later = DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z").unwrap().with_timezone(&Utc);
    assert_eq!(uids(&feed_plan(), later), first, "the next poll: the same events");
    // The next poll's window starts a day later: the days both hold keep their UIDs.
    let moved = ical::FeedPlan { days: vec![NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()], ..feed_plan() };
    assert_eq!(uids(&moved, later), first[2..]);
    let someone_else = ical::FeedPlan { scope: "person-2".to_owned(), ..feed_plan() };
    assert!(uids(&someone_else, stamp()).iter().all(|u| !first.contains(u)));
    // No note: the description alone.
    let plain = parse(&ical::feed(&ical::FeedPlan { note: None, ..feed_plan() }, stamp()));
    assert_eq!(event_value(&plain.events[0], "DESCRIPTION"), ical::FEED_DESCRIPTION.replace(',', "\\,"));
}
