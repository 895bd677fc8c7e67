//! The printable report for a clinician: one or two A4 pages, read in a
//! minute, as a PDF.
//!
//! Who (only as the person chose to enter it), the period, the screenings
//! with the warning signs found, the sessions and how regularly they were
//! done, pain before and after as a chart, the change against the
//! meaningful-change threshold of the content pack, the weekly check-ins and
//! the person's notes.
//!
//! Laid out and drawn by the crate's `pdf` module. It must read printed in
//! black and white: the chart tells its lines apart by dash and marker, not
//! by colour, and the text is black or dark grey.
//!
//! Days are the person's local days in the time zone passed in; nothing
//! here reads a clock.

use crate::ExportError;
use crate::pdf::{self, BODY, Layout, MARGIN, Op, PAGE, SMALL};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use knead_core::outcomes::{self, Assessment, PainReading};
use knead_core::pack::ContentPack;
use knead_core::records::{Journal, ScreeningRecord, SessionPain, SessionRecord, SessionStatus};
use knead_core::vocab::{Disposition, TechniqueId, Vocabulary};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The most screenings and notes listed; the rest are counted.
const MOST_LISTED: usize = 8;

/// What the report is about.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a, Tz: TimeZone> {
    /// The content pack: technique names, headlines, escalation thresholds.
    pub pack: &'a ContentPack,
    /// The journal: its screenings and check-ins, and at least the
    /// sessions of the period (those outside it are not read).
    pub journal: &'a Journal,
    /// The pain of every session up to the period's last day, oldest
    /// first: the outcome is judged from the first session.
    pub pains: &'a [SessionPain],
    /// The person's name, only if they chose to give it.
    pub name: Option<&'a str>,
    /// The first day of the period.
    pub from: NaiveDate,
    /// The last day of the period.
    pub to: NaiveDate,
    /// The person's time zone, for days and times.
    pub zone: &'a Tz,
}

/// The report as PDF bytes.
///
/// # Errors
///
/// [`ExportError::Report`] if `from` is after `to` (naming both);
/// [`ExportError::Pdf`] if the PDF cannot be written.
pub fn pdf<Tz: TimeZone>(input: &ReportInput<'_, Tz>) -> Result<Vec<u8>, ExportError> {
    if input.from > input.to {
        return Err(ExportError::Report(format!(
            "`from` ({}) is after `to` ({}); allowed: a first day on or before the last",
            input.from, input.to
        )));
    }
    let mut layout = Layout::new()?;
    write_report(&mut layout, input);
    let (from, to) = (input.from, input.to);
    pdf::render(layout, format!("Knead report {from} to {to}"), |page, pages| {
        format!("Knead report, {from} to {to}. Page {page} of {pages}.")
    })
}

/// A local day of a moment.
fn day<Tz: TimeZone>(zone: &Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(zone).date_naive()
}

fn write_report<Tz: TimeZone>(l: &mut Layout, input: &ReportInput<'_, Tz>) {
    let (pack, journal, zone) = (input.pack, input.journal, input.zone);
    let in_period = |at: DateTime<Utc>| (input.from..=input.to).contains(&day(zone, at));
    let sessions: Vec<&SessionRecord> = journal.sessions.iter().filter(|s| in_period(s.started_at)).collect();
    let period_days = (input.to - input.from).num_days() + 1;

    l.text("Middle back self-massage: report for a clinician", 16.0, true);
    l.gap(2.0);
    l.wrapped(
        &format!(
            "From the person's own Knead journal ({} {}). Knead screens for warning signs before \
             self-massage; it is not a diagnosis and its rules are not clinically validated.",
            pack.meta.title, pack.meta.version
        ),
        SMALL,
    );
    l.gap(6.0);
    match input.name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => l.text(&format!("Name: {name}"), 11.0, false),
        None => l.text("Name: ________________________________", 11.0, false),
    }
    l.text(&format!("Period: {} to {} ({period_days} days)", input.from, input.to), 11.0, false);

    l.heading("Screening");
    screenings(l, input);

    l.heading("Sessions and adherence");
    let days_with: BTreeSet<NaiveDate> = sessions.iter().map(|s| day(zone, s.started_at)).collect();
    let mut by_status: BTreeMap<SessionStatus, usize> = BTreeMap::new();
    for s in &sessions {
        *by_status.entry(s.status).or_default() += 1;
    }
    let statuses: Vec<String> =
        by_status.iter().map(|(status, n)| format!("{} {n}", status.as_str().replace('_', " "))).collect();
    l.wrapped(
        &format!(
            "Sessions done: {}{}. Days with a session: {} of {period_days}.",
            sessions.len(),
            if statuses.is_empty() { String::new() } else { format!(" ({})", statuses.join(", ")) },
            days_with.len()
        ),
        BODY,
    );
    let mut techniques = Vec::new();
    for &id in TechniqueId::ALL {
        let used: Vec<u32> =
            sessions.iter().filter_map(|s| s.usage.get(&id).copied()).filter(|&s| s > 0).collect();
        if !used.is_empty() {
            let minutes = used.iter().sum::<u32>().div_ceil(60);
            let count =
                if used.len() == 1 { "1 session".to_owned() } else { format!("{} sessions", used.len()) };
            techniques.push(format!("{}: {count}, {minutes} min", pack.technique(id).name));
        }
    }
    if !techniques.is_empty() {
        l.wrapped(&format!("Techniques: {}.", techniques.join("; ")), BODY);
    }

    l.heading("Pain (0 = none, 10 = worst)");
    let before: Vec<u32> = sessions.iter().map(|s| u32::from(s.pain_before.get())).collect();
    let counted_min = pack.session_counted_min.value;
    let after: Vec<u32> =
        sessions.iter().filter_map(|s| s.effect_after(counted_min).map(|p| u32::from(p.get()))).collect();
    // Scores after a session with too little massage are no effect of it.
    let left_out = sessions.iter().filter(|s| s.pain_after.is_some()).count() - after.len();
    let left_out = match left_out {
        0 => String::new(),
        n => format!(", {n} under {counted_min} s of massage left out"),
    };
    match (mean(&before), mean(&after)) {
        (Some(b), Some(a)) => l.wrapped(
            &format!(
                "Average pain before a session: {b:.1} ({} sessions); after: {a:.1} ({} sessions{left_out}).",
                before.len(),
                after.len()
            ),
            BODY,
        ),
        (Some(b), None) => {
            l.wrapped(&format!("Average pain before a session: {b:.1}; no scores after."), BODY)
        }
        _ => l.wrapped("No sessions in this period.", BODY),
    }
    let assessment = assess(input);
    let target = assessment.target_tenths.map(|t| f64::from(t) / 10.0);
    l.chart(&sessions, input, target);
    outcome(l, pack, &assessment);

    l.heading("Weekly check-ins");
    let checkins: Vec<_> = journal.checkins.iter().filter(|c| in_period(c.at)).collect();
    if checkins.is_empty() {
        l.wrapped("None in this period.", BODY);
    } else {
        l.wrapped("Change since starting: -3 very much worse, 0 no change, +3 very much better.", SMALL);
        for c in checkins {
            l.wrapped(
                &format!(
                    "{}: pain over the week {}/10; change since starting {:+}.",
                    day(zone, c.at),
                    c.week_pain,
                    c.change.get()
                ),
                BODY,
            );
        }
    }

    l.heading("Notes");
    let notes: Vec<String> = sessions
        .iter()
        .filter_map(|s| {
            let mut text = s.note.as_deref().map(one_line).unwrap_or_default();
            if let Some(reason) = s.stop_reason.as_deref() {
                let _ = write!(
                    text,
                    "{}(stopped early: {})",
                    if text.is_empty() { "" } else { " " },
                    one_line(reason)
                );
            }
            (!text.is_empty()).then(|| format!("{}: {text}", day(zone, s.started_at)))
        })
        .collect();
    if notes.is_empty() {
        l.wrapped("None in this period.", BODY);
    }
    for note in notes.iter().take(MOST_LISTED) {
        l.wrapped(note, BODY);
    }
    if notes.len() > MOST_LISTED {
        l.wrapped(&format!("and {} more in the journal.", notes.len() - MOST_LISTED), BODY);
    }
}

/// The screenings of the period, newest first; if there are none, the
/// latest one before it.
fn screenings<Tz: TimeZone>(l: &mut Layout, input: &ReportInput<'_, Tz>) {
    let (pack, zone) = (input.pack, input.zone);
    let mut shown: Vec<&ScreeningRecord> = input
        .journal
        .screenings
        .iter()
        .filter(|s| (input.from..=input.to).contains(&day(zone, s.at)))
        .collect();
    shown.reverse();
    let mut before_period = false;
    if shown.is_empty() {
        let earlier =
            input.journal.screenings.iter().filter(|s| day(zone, s.at) < input.from).max_by_key(|s| s.at);
        shown.extend(earlier);
        before_period = true;
    }
    if shown.is_empty() {
        l.wrapped("No screening recorded.", BODY);
    }
    for s in shown.iter().take(MOST_LISTED) {
        let mut line = format!("{}: {}", day(zone, s.at), disposition_words(s.disposition));
        if before_period {
            line.push_str(" (before this period)");
        }
        if let Some(c) = &s.clearance {
            let _ = write!(line, "; cleared by {} on {}", one_line(&c.by), c.on);
            if let Some(w) = c.withdrawn {
                let _ = write!(line, ", withdrawn by a Knead clinician on {}", day(zone, w.at));
            } else if c.recorded_by.is_some() {
                line.push_str(", recorded by a Knead clinician");
            } else if c.confirmed.is_some() {
                line.push_str(", confirmed by a Knead clinician");
            }
        }
        l.bold(&line);
        let mut reported = Vec::new();
        let intake = &s.intake;
        let mut list = |label: &str, words: Vec<&str>| {
            if !words.is_empty() {
                reported.push(format!("{label}: {}", words.join(", ").replace('_', " ")));
            }
        };
        list("symptoms", intake.symptoms.iter().map(|v| v.as_str()).collect());
        list("history", intake.history.iter().map(|v| v.as_str()).collect());
        list("pain spreads to", intake.pain.radiates_to.iter().map(|v| v.as_str()).collect());
        list("skin", intake.skin_at_site.iter().map(|v| v.as_str()).collect());
        if intake.pain.after_trauma {
            reported.push("began after an injury".to_owned());
        }
        l.wrapped(
            &format!(
                "Pain {}/10 for {} days. Reported: {}.",
                intake.pain.intensity,
                intake.pain.duration_days,
                if reported.is_empty() { "no warning signs".to_owned() } else { reported.join("; ") }
            ),
            BODY,
        );
        for reason in s.result["reasons"].as_array().into_iter().flatten() {
            let rule = reason["rule"].as_str().unwrap_or("?");
            let message = reason["message"].as_str().unwrap_or("");
            // The stored message starts with its disposition's headline; the
            // disposition is shown once above, so only the rule's own words.
            let headline = reason["disposition"]
                .as_str()
                .and_then(Disposition::parse)
                .map(|d| pack.screening.headline(d).text.as_str())
                .unwrap_or("");
            let detail = message.strip_prefix(headline).unwrap_or(message).trim();
            l.bullet(&format!("{rule}: {detail}"));
        }
    }
}

/// The disposition for a clinician.
fn disposition_words(d: Disposition) -> &'static str {
    match d {
        Disposition::SelfCare => "self-care (no warning signs)",
        Disposition::SelfCareWithLimits => "self-care with limits (some techniques ruled out)",
        Disposition::SeeDoctorFirst => "see a doctor first (no self-massage until then)",
        Disposition::Urgent => "urgent: medical advice today",
        Disposition::Emergency => "emergency: call emergency services",
    }
}

/// The outcome over the whole journal up to the period's last day.
fn assess<Tz: TimeZone>(input: &ReportInput<'_, Tz>) -> Assessment {
    let readings: Vec<PainReading> = input
        .pains
        .iter()
        .map(|s| PainReading {
            day: day(input.zone, s.started_at),
            before: s.pain_before,
            after: s.pain_after,
        })
        .collect();
    let cleared_on = input.journal.screenings.iter().filter_map(ScreeningRecord::cleared_on).max();
    outcomes::assess(&input.pack.escalation, &readings, input.to, cleared_on)
}

fn outcome(l: &mut Layout, pack: &ContentPack, a: &Assessment) {
    let rules = &pack.escalation;
    if let (Some(base), Some(now)) = (a.baseline, a.current_tenths) {
        l.wrapped(
            &format!(
                "Since the start ({} days): first score {base}/10; typical pain now {:.1}/10 (mean of the \
                 last 7 days with sessions), {}.",
                a.days,
                f64::from(now) / 10.0,
                match a.reduction_percent.unwrap_or(0) {
                    p if p >= 0 => format!("{p}% lower"),
                    p => format!("{}% higher", -p),
                }
            ),
            BODY,
        );
    }
    if let (Some(base), Some(target)) = (a.baseline, a.target_tenths) {
        let points = if u32::from(base) >= rules.points_apply_from_baseline.value {
            format!(" and at least {} points", rules.min_reduction_points.value)
        } else {
            String::new()
        };
        l.wrapped(
            &format!(
                "Meaningful improvement (at least {}% lower{points}): {:.1}/10 or less. {}",
                rules.min_reduction_percent.value,
                f64::from(target) / 10.0,
                if a.meaningful { "Reached." } else { "Not reached." }
            ),
            BODY,
        );
    }
    for flag in &a.flags {
        l.bullet(&format!("Knead warned the person: {}", flag.message()));
    }
}

fn mean(values: &[u32]) -> Option<f64> {
    (!values.is_empty()).then(|| f64::from(values.iter().sum::<u32>()) / values.len() as f64)
}

/// Text on one line, whatever line breaks it had.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Layout {
    /// Pain before (solid line, filled circles) and after (dashed line,
    /// hollow triangles) of each session, by day, with the target dotted.
    fn chart<Tz: TimeZone>(
        &mut self,
        sessions: &[&SessionRecord],
        input: &ReportInput<'_, Tz>,
        target: Option<f64>,
    ) {
        const HEIGHT: f32 = 190.0;
        self.room(HEIGHT + 10.0);
        let top = self.y + 22.0;
        let (left, right, bottom) = (MARGIN + 26.0, PAGE.0 - MARGIN - 6.0, self.y + HEIGHT - 22.0);
        self.y += HEIGHT;
        let days = (input.to - input.from).num_days() as f32 + 1.0;
        let origin = input.from.and_time(NaiveTime::MIN);
        let x_of = |at: DateTime<Utc>| {
            let local = at.with_timezone(input.zone).naive_local();
            left + (right - left) * ((local - origin).num_seconds() as f32 / 86_400.0) / days
        };
        let y_of = |pain: f32| bottom - (bottom - top) * pain / 10.0;

        // Grid and axes.
        for pain in (0..=10).step_by(2) {
            let y = y_of(pain as f32);
            let grey = if pain == 0 { 0 } else { 0xBB };
            self.push(Op::Line { points: vec![(left, y), (right, y)], width: 0.4, grey, dash: None });
            let label = pain.to_string();
            let x = left - 5.0 - self.width(&label, SMALL);
            self.push(Op::Text { x, y: y + SMALL * 0.35, size: SMALL, text: label, bold: false, grey: 0 });
        }
        self.push(Op::Line { points: vec![(left, top), (left, bottom)], width: 0.6, grey: 0, dash: None });
        let step = ((days / 7.0).ceil() as u64).max(1);
        let mut d = 0;
        while d < days as u64 {
            if let Some(date) = input.from.checked_add_days(Days::new(d)) {
                let x = left + (right - left) * d as f32 / days;
                self.push(Op::Line {
                    points: vec![(x, bottom), (x, bottom + 3.0)],
                    width: 0.5,
                    grey: 0,
                    dash: None,
                });
                let label = date.format("%-d %b").to_string();
                let x = x - self.width(&label, SMALL) / 2.0;
                self.push(Op::Text { x, y: bottom + 12.0, size: SMALL, text: label, bold: false, grey: 0 });
            }
            d += step;
        }

        // Legend, above the plot.
        let ly = top - 12.0;
        let mut lx = left;
        let entries: [(&str, Option<Vec<f32>>, u8); 3] = [
            ("Pain before", None, 0),
            ("Pain after", Some(vec![4.0, 2.5]), 0x55),
            ("Target", Some(vec![1.0, 2.0]), 0x77),
        ];
        for (i, (label, dash, grey)) in entries.into_iter().enumerate() {
            if i == 2 && target.is_none() {
                break;
            }
            self.push(Op::Line { points: vec![(lx, ly), (lx + 22.0, ly)], width: 1.2, grey, dash });
            match i {
                0 => self.push(circle(lx + 11.0, ly, 2.4)),
                1 => self.push(triangle(lx + 11.0, ly, 3.2)),
                _ => {}
            }
            self.push(Op::Text {
                x: lx + 27.0,
                y: ly + 3.0,
                size: SMALL,
                text: label.to_owned(),
                bold: false,
                grey: 0,
            });
            lx += 27.0 + self.width(label, SMALL) + 18.0;
        }

        if let Some(target) = target {
            let y = y_of(target as f32);
            self.push(Op::Line {
                points: vec![(left, y), (right, y)],
                width: 1.0,
                grey: 0x77,
                dash: Some(vec![1.0, 2.0]),
            });
            let label = format!("target {target:.1}");
            let x = right - self.width(&label, SMALL);
            self.push(Op::Text { x, y: y - 3.0, size: SMALL, text: label, bold: false, grey: 0x44 });
        }

        let mut ordered = sessions.to_vec();
        ordered.sort_by_key(|s| s.started_at);
        let before: Vec<(f32, f32)> =
            ordered.iter().map(|s| (x_of(s.started_at), y_of(f32::from(s.pain_before.get())))).collect();
        let after: Vec<(f32, f32)> = ordered
            .iter()
            .filter_map(|s| {
                let after = s.effect_after(input.pack.session_counted_min.value)?;
                Some((x_of(s.started_at), y_of(f32::from(after.get()))))
            })
            .collect();
        if before.len() > 1 {
            self.push(Op::Line { points: before.clone(), width: 1.2, grey: 0, dash: None });
        }
        if after.len() > 1 {
            self.push(Op::Line { points: after.clone(), width: 1.2, grey: 0x55, dash: Some(vec![4.0, 2.5]) });
        }
        for (x, y) in before {
            self.push(circle(x, y, 2.4));
        }
        for (x, y) in after {
            self.push(triangle(x, y, 3.2));
        }
    }
}

/// A filled black circle (as a 16-sided polygon: small enough not to show).
fn circle(x: f32, y: f32, r: f32) -> Op {
    let points = (0..16)
        .map(|i| i as f32 * std::f32::consts::TAU / 16.0)
        .map(|a| (x + r * a.cos(), y + r * a.sin()))
        .collect();
    Op::Shape { points, fill: 0, grey: 0 }
}

/// A hollow triangle, pointing up, outlined in dark grey.
fn triangle(x: f32, y: f32, r: f32) -> Op {
    Op::Shape {
        points: vec![(x, y - r), (x + r * 0.87, y + r * 0.5), (x - r * 0.87, y + r * 0.5)],
        fill: 0xFF,
        grey: 0x33,
    }
}
