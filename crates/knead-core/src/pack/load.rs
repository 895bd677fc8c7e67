//! Raw TOML in, a checked [`ContentPack`] out.

use super::condition::{self, Scope};
use super::{
    Choice, ContentPack, Dose, DoseRange, Education, Escalation, Figure, Headline, Kind, Meta, PACK_FILES,
    PackError, Question, Questionnaire, Rule, Screening, Step, Technique, TechniqueDoses, Timing, Topic,
    Variant,
};
use super::{FIGURES_DIR, raw};
use crate::intake::{Field, Shape};
use crate::vocab::{TechniqueId, Vocabulary};
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use toml::Spanned;

/// One pack file: its name and text, for errors that point into it.
#[derive(Clone, Copy)]
struct File<'a> {
    name: &'a str,
    text: &'a str,
}

impl File<'_> {
    fn err(&self, at: Range<usize>, field: impl Into<String>, message: impl Into<String>) -> PackError {
        PackError::new(self.name, self.text, at, field, message)
    }

    fn parse<T: DeserializeOwned>(&self) -> Result<T, PackError> {
        let de = toml::Deserializer::parse(self.text).map_err(|e| self.toml_err(&e, String::new()))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let field = e.path().to_string();
            self.toml_err(e.inner(), field)
        })
    }

    fn toml_err(&self, e: &toml::de::Error, field: String) -> PackError {
        let field = if field.is_empty() || field == "." { "(file)".to_owned() } else { field };
        self.err(e.span().unwrap_or(0..0), field, e.message().trim_end().to_owned())
    }

    /// A text that people read must say something.
    fn text(&self, value: &Spanned<String>, field: impl Into<String>) -> Result<String, PackError> {
        let text = value.get_ref().trim();
        if text.is_empty() {
            return Err(self.err(value.span(), field, "must not be empty"));
        }
        Ok(text.to_owned())
    }

    fn dose(&self, dose: &raw::Dose, field: &str) -> Result<Dose, PackError> {
        let source = self.text(&dose.source, format!("{field}.source"))?;
        if *dose.value.get_ref() == 0 {
            return Err(self.err(dose.value.span(), format!("{field}.value"), "must be 1 or more"));
        }
        Ok(Dose { value: *dose.value.get_ref(), source })
    }
}

/// A pack's figure files by name, each with whether a step shows it.
type Figures<'a> = BTreeMap<&'a str, (File<'a>, bool)>;

pub(super) fn load(files: &[(&str, &str)]) -> Result<ContentPack, PackError> {
    let mut by_name = BTreeMap::new();
    let mut figures: Figures<'_> = BTreeMap::new();
    for &(name, text) in files {
        if super::figure::is_file_name(name) {
            figures.insert(name, (File { name, text }, false));
            continue;
        }
        if !PACK_FILES.contains(&name) {
            return Err(PackError::new(
                name,
                text,
                0..0,
                "(file)",
                format!(
                    "not a pack file; a pack holds {} and figures named {FIGURES_DIR}/NAME.svg (NAME in \
                     lowercase letters, digits and hyphens)",
                    PACK_FILES.join(", ")
                ),
            ));
        }
        by_name.insert(name, File { name, text });
    }
    let file = |name: &'static str| {
        by_name
            .get(name)
            .copied()
            .ok_or_else(|| PackError::new(name, "", 0..0, "(file)", "missing from the pack"))
    };

    let meta_file = file("pack.toml")?;
    let meta = meta(meta_file, meta_file.parse()?)?;

    let techniques_file = file("techniques.toml")?;
    let raw_techniques: raw::Techniques = techniques_file.parse()?;
    let doses_file = file("doses.toml")?;
    let raw_doses: raw::Doses = doses_file.parse()?;
    let session_counted_min =
        doses_file.dose(&raw_doses.session.counted_min_seconds, "session.counted_min_seconds")?;
    let (techniques, daily_sessions_max) =
        techniques(techniques_file, raw_techniques, doses_file, raw_doses, &mut figures)?;
    let figures = used_figures(figures)?;

    let screening_file = file("screening.toml")?;
    let screening = screening(screening_file, screening_file.parse()?)?;

    let escalation_file = file("escalation.toml")?;
    let escalation = escalation(escalation_file, escalation_file.parse()?)?;

    let education_file = file("education.toml")?;
    let education = education(education_file, education_file.parse()?)?;

    let questionnaire_file = file("questionnaire.toml")?;
    let questionnaire = questionnaire(questionnaire_file, questionnaire_file.parse()?)?;

    Ok(ContentPack {
        meta,
        screening,
        techniques,
        daily_sessions_max,
        session_counted_min,
        escalation,
        education,
        questionnaire,
        figures,
    })
}

/// The figures' texts, once every step has claimed its own: a figure no
/// step shows is a mistake (a misspelt name in a step, most likely).
fn used_figures(figures: Figures<'_>) -> Result<BTreeMap<String, String>, PackError> {
    figures
        .into_values()
        .map(|(f, used)| match used {
            true => Ok((f.name.to_owned(), f.text.to_owned())),
            false => Err(f.err(
                0..0,
                "(file)",
                "no step shows this figure; name it in a step's `figure.file` or remove it",
            )),
        })
        .collect()
}

fn meta(f: File<'_>, raw: raw::Meta) -> Result<Meta, PackError> {
    let get_ready = *raw.get_ready_seconds.get_ref();
    if !(3..=60).contains(&get_ready) {
        return Err(f.err(raw.get_ready_seconds.span(), "get_ready_seconds", "must be from 3 to 60 seconds"));
    }
    for (value, field) in [(&raw.id, "id"), (&raw.version, "version"), (&raw.title, "title")] {
        if value.trim().is_empty() {
            return Err(f.err(0..0, field, "must not be empty"));
        }
    }
    Ok(Meta {
        id: raw.id,
        version: raw.version,
        title: raw.title,
        language: raw.language,
        get_ready_seconds: get_ready,
        based_on: raw.based_on,
        review_status: raw.review_status,
    })
}

fn screening(f: File<'_>, raw: raw::Screening) -> Result<Screening, PackError> {
    let headline = |h: raw::Headline, name: &str| -> Result<Headline, PackError> {
        Ok(Headline {
            text: f.text(&h.headline, format!("dispositions.{name}.headline"))?,
            with_helper: h.with_helper,
            when_cleared: h.when_cleared,
        })
    };
    let d = raw.dispositions;
    let headlines = [
        headline(d.self_care, "self_care")?,
        headline(d.self_care_with_limits, "self_care_with_limits")?,
        headline(d.see_doctor_first, "see_doctor_first")?,
        headline(d.urgent, "urgent")?,
        headline(d.emergency, "emergency")?,
    ];

    let all_rules: BTreeSet<String> = raw.rules.iter().map(|r| r.id.get_ref().clone()).collect();
    let mut earlier = BTreeMap::new();
    let mut rules = Vec::with_capacity(raw.rules.len());
    for (i, r) in raw.rules.into_iter().enumerate() {
        let field = |name: &str| format!("rules[{i}].{name}");
        let id = r.id.get_ref().trim().to_owned();
        if id.is_empty() || id.contains(char::is_whitespace) {
            return Err(f.err(r.id.span(), field("id"), "must be a non-empty id without spaces"));
        }
        if earlier.contains_key(&id) {
            return Err(f.err(r.id.span(), field("id"), format!("rule `{id}` is defined twice")));
        }
        let scope = Scope { sets: &raw.sets, earlier_rules: &earlier, all_rules: &all_rules };
        let when = condition::parse(r.when.get_ref(), &scope).map_err(|e| {
            f.err(inside_string(f.text, r.when.span(), r.when.get_ref(), e.at), field("when"), e.message)
        })?;
        let excludes = r.excludes.map(|e| (e.span(), e.into_inner())).unwrap_or_default();
        if excludes.1.contains(&TechniqueId::Hands) {
            return Err(f.err(
                excludes.0,
                field("excludes"),
                "`hands` may not be excluded: gentle hand massage always stays possible (screening reference §1.4)",
            ));
        }
        rules.push(Rule {
            id: id.clone(),
            disposition: r.disposition,
            when,
            when_text: r.when.get_ref().split_whitespace().collect::<Vec<_>>().join(" "),
            excludes: excludes.1.into_iter().collect(),
            message: f.text(&r.message, field("message"))?,
            source: f.text(&r.source, field("source"))?,
        });
        earlier.insert(id, i);
    }
    Ok(Screening { rules, headlines })
}

/// Map a range inside a string value to a range in the file. The value's
/// span includes its quotes; for a string written without escapes the text
/// starts right after them, otherwise point at the whole value.
fn inside_string(file: &str, span: Range<usize>, value: &str, at: Range<usize>) -> Range<usize> {
    let raw = file.get(span.clone()).unwrap_or_default();
    for quote in ["\"\"\"\n", "\"\"\"", "'''\n", "'''", "\"", "'"] {
        if raw.starts_with(quote) && raw[quote.len()..].starts_with(value) {
            let start = span.start + quote.len();
            return start + at.start..start + at.end;
        }
    }
    span
}

fn techniques(
    tf: File<'_>,
    raw: raw::Techniques,
    df: File<'_>,
    doses: raw::Doses,
    figures: &mut Figures<'_>,
) -> Result<(Vec<Technique>, Dose), PackError> {
    let daily_sessions_max = df.dose(&doses.daily.sessions_max, "daily.sessions_max")?;

    let mut technique_doses = BTreeMap::new();
    for (name, d) in &doses.techniques {
        let field = |n: &str| format!("techniques.{}.{n}", name.get_ref());
        let Some(id) = TechniqueId::parse(name.get_ref()) else {
            return Err(df.err(
                name.span(),
                format!("techniques.{}", name.get_ref()),
                format!("unknown technique `{}`; allowed: {}", name.get_ref(), TechniqueId::allowed()),
            ));
        };
        let one = |d: &Option<raw::Dose>, n: &str| d.as_ref().map(|d| df.dose(d, &field(n))).transpose();
        let Some(session_max) = &d.session_max_seconds else {
            return Err(df.err(
                name.span(),
                field("session_max_seconds"),
                "every technique needs a session limit",
            ));
        };
        let ramp = match &d.ramp_seconds {
            None => None,
            Some(r) => {
                if *r.min.get_ref() == 0 || *r.min.get_ref() > r.max {
                    return Err(df.err(r.min.span(), field("ramp_seconds"), "needs 1 <= min <= max"));
                }
                Some(DoseRange {
                    min: *r.min.get_ref(),
                    max: r.max,
                    source: df.text(&r.source, field("ramp_seconds.source"))?,
                })
            }
        };
        let doses = TechniqueDoses {
            session_max_seconds: df.dose(session_max, &field("session_max_seconds"))?,
            bout_max_seconds: one(&d.bout_max_seconds, "bout_max_seconds")?,
            rest_min_seconds: one(&d.rest_min_seconds, "rest_min_seconds")?,
            ramp_seconds: ramp,
            daily_max_seconds: one(&d.daily_max_seconds, "daily_max_seconds")?,
        };
        technique_doses.insert(id, doses);
    }

    let mut out: Vec<Technique> = Vec::new();
    for (ti, t) in raw.techniques.into_iter().enumerate() {
        let id = *t.id.get_ref();
        let tfield = |n: &str| format!("techniques[{ti}].{n}");
        if out.iter().any(|o| o.id == id) {
            return Err(tf.err(t.id.span(), tfield("id"), format!("technique `{id}` is defined twice")));
        }
        let Some(doses) = technique_doses.remove(&id) else {
            return Err(tf.err(
                t.id.span(),
                tfield("id"),
                format!("technique `{id}` has no doses in doses.toml"),
            ));
        };
        if t.variants.is_empty() {
            return Err(tf.err(t.id.span(), tfield("variants"), "needs at least one variant"));
        }
        let mut variants: Vec<Variant> = Vec::new();
        for (vi, v) in t.variants.into_iter().enumerate() {
            let vfield = |n: &str| tfield(&format!("variants[{vi}].{n}"));
            if variants.iter().any(|o| o.id == *v.id.get_ref() || o.helper == v.helper) {
                return Err(tf.err(
                    v.id.span(),
                    vfield("id"),
                    "each variant needs its own id and its own `helper` (one `none`, one `required` at most)",
                ));
            }
            variants.push(variant(tf, v, &doses, id, figures, &vfield)?);
        }
        out.push(Technique {
            id,
            name: t.name,
            summary: t.summary,
            needs_any: t.needs_any.into_iter().collect(),
            variants,
            doses,
        });
    }
    for id in TechniqueId::ALL {
        if !out.iter().any(|t| t.id == *id) {
            return Err(tf.err(
                0..0,
                "techniques",
                format!("technique `{id}` is missing; a pack defines {}", TechniqueId::allowed()),
            ));
        }
    }
    Ok((out, daily_sessions_max))
}

fn variant(
    f: File<'_>,
    v: raw::Variant,
    doses: &TechniqueDoses,
    technique: TechniqueId,
    figures: &mut Figures<'_>,
    vfield: &dyn Fn(&str) -> String,
) -> Result<Variant, PackError> {
    if v.steps.is_empty() {
        return Err(f.err(v.id.span(), vfield("steps"), "needs at least one step"));
    }
    let mut steps: Vec<Step> = Vec::new();
    let mut ramps = 0;
    let count = v.steps.len();
    for (si, s) in v.steps.into_iter().enumerate() {
        let sfield = |n: &str| vfield(&format!("steps[{si}].{n}"));
        if steps.iter().any(|o| o.id == *s.id.get_ref()) {
            return Err(f.err(s.id.span(), sfield("id"), format!("step `{}` appears twice", s.id.get_ref())));
        }
        let (timing, span) = match (&s.seconds, &s.bouts) {
            (Some(sec), None) => {
                let timing = match *sec.get_ref() {
                    raw::Seconds::Fixed(seconds) => Timing::Fixed { seconds },
                    raw::Seconds::Range { min, max } => Timing::Range { min_seconds: min, max_seconds: max },
                };
                (timing, sec.span())
            }
            (None, Some(b)) => {
                let raw::Bouts { count, work_seconds, rest_seconds } = *b.get_ref();
                (Timing::Bouts { count, work_seconds, rest_seconds }, b.span())
            }
            _ => {
                return Err(f.err(
                    s.id.span(),
                    sfield("seconds"),
                    "give exactly one of `seconds` or `bouts`",
                ));
            }
        };
        check_timing(f, timing, span.clone(), doses, technique, &sfield)?;
        let (closing, closing_span) = s.closing.as_ref().map_or((false, 0..0), |c| (*c.get_ref(), c.span()));
        if closing && si + 1 != count {
            return Err(f.err(
                closing_span.clone(),
                sfield("closing"),
                "only a variant's last step can be its closing step (`closing = true`), and only one",
            ));
        }
        if closing && (s.ramp || matches!(timing, Timing::Bouts { .. })) {
            return Err(f.err(
                closing_span,
                sfield("closing"),
                "a closing step is not massage: it takes `seconds`, not `bouts`, and cannot be `ramp = true`",
            ));
        }
        if s.ramp {
            ramps += 1;
            let Some(ramp) = &doses.ramp_seconds else {
                return Err(f.err(
                    span,
                    sfield("ramp"),
                    format!("`{technique}` has no ramp_seconds dose in doses.toml"),
                ));
            };
            let (lo, hi) = (timing.planned_seconds(), timing.max_seconds());
            if lo < ramp.min || hi > ramp.max || matches!(timing, Timing::Bouts { .. }) {
                return Err(f.err(
                    span,
                    sfield("seconds"),
                    format!(
                        "the lowest-setting step must last between {} and {} seconds (ramp_seconds: {}); it lasts {lo} to {hi}",
                        ramp.min, ramp.max, ramp.source
                    ),
                ));
            }
        }
        let step_name = format!("step `{}` of `{technique}` ({})", s.id.get_ref(), v.id.get_ref());
        let figure = figure(f, s.figure, &s.id, figures, &step_name, &sfield)?;
        steps.push(Step {
            id: s.id.get_ref().clone(),
            position: s.position,
            instruction: f.text(&s.instruction, sfield("instruction"))?,
            cues: s.cues,
            timing,
            ramp: s.ramp,
            closing,
            figure,
        });
    }
    if doses.ramp_seconds.is_some() && ramps != 1 {
        return Err(f.err(
            v.id.span(),
            vfield("steps"),
            format!("`{technique}` has a ramp dose, so each variant needs exactly one step with `ramp = true`, before any other timed work"),
        ));
    }
    let most: u32 = steps.iter().map(|s| s.work_seconds().1).sum();
    let limit = &doses.session_max_seconds;
    if most > limit.value {
        return Err(f.err(
            v.id.span(),
            vfield("steps"),
            format!(
                "the steps can last {most} seconds, more than `{technique}`'s session limit of {} seconds ({})",
                limit.value, limit.source
            ),
        ));
    }
    Ok(Variant { id: v.id.into_inner(), helper: v.helper, steps })
}

/// A step's figure: named, described, licensed, in the pack, and an SVG
/// that only draws (see [`super::figure::check`]).
fn figure(
    f: File<'_>,
    raw: Option<raw::Figure>,
    step_id: &Spanned<String>,
    figures: &mut Figures<'_>,
    step_name: &str,
    sfield: &dyn Fn(&str) -> String,
) -> Result<Figure, PackError> {
    let Some(raw) = raw else {
        return Err(f.err(
            step_id.span(),
            sfield("figure"),
            format!(
                "{step_name} has no figure; every step needs one: add a `figure` table with `file = \
                 \"{FIGURES_DIR}/NAME.svg\"`, `alt` (what it shows, in words) and `licence`"
            ),
        ));
    };
    let file = raw.file.get_ref();
    if !super::figure::is_file_name(file) {
        return Err(f.err(
            raw.file.span(),
            sfield("figure.file"),
            format!(
                "`{file}` is not a figure's name; allowed: `{FIGURES_DIR}/NAME.svg`, NAME in lowercase \
                 letters, digits and hyphens"
            ),
        ));
    }
    let Some((svg, used)) = figures.get_mut(file.as_str()) else {
        return Err(f.err(
            raw.file.span(),
            sfield("figure.file"),
            format!("`{file}` is not in the pack; put the figure of {step_name} there"),
        ));
    };
    if !*used {
        super::figure::check(svg.text).map_err(|(at, message)| {
            svg.err(at, sfield("figure"), format!("figure of {step_name}: {message}"))
        })?;
        *used = true;
    }
    Ok(Figure {
        file: file.clone(),
        alt: f.text(&raw.alt, sfield("figure.alt"))?,
        licence: f.text(&raw.licence, sfield("figure.licence"))?,
    })
}

fn check_timing(
    f: File<'_>,
    timing: Timing,
    span: Range<usize>,
    doses: &TechniqueDoses,
    technique: TechniqueId,
    sfield: &dyn Fn(&str) -> String,
) -> Result<(), PackError> {
    match timing {
        Timing::Fixed { seconds: 0 } => Err(f.err(span, sfield("seconds"), "must be 1 or more")),
        Timing::Range { min_seconds, max_seconds } if min_seconds == 0 || min_seconds > max_seconds => {
            Err(f.err(span, sfield("seconds"), "a range needs 1 <= min <= max"))
        }
        Timing::Bouts { count, work_seconds, rest_seconds } => {
            if count == 0 || work_seconds == 0 {
                return Err(f.err(span, sfield("bouts"), "needs at least one bout of at least one second"));
            }
            let Some(max) = &doses.bout_max_seconds else {
                return Err(f.err(
                    span,
                    sfield("bouts"),
                    format!("`{technique}` has bouts but no bout_max_seconds dose in doses.toml"),
                ));
            };
            if work_seconds > max.value {
                return Err(f.err(
                    span,
                    sfield("bouts.work_seconds"),
                    format!(
                        "a bout of {work_seconds} seconds is longer than the limit of {} seconds ({})",
                        max.value, max.source
                    ),
                ));
            }
            if let Some(min) = &doses.rest_min_seconds
                && count > 1
                && rest_seconds < min.value
            {
                return Err(f.err(
                    span,
                    sfield("bouts.rest_seconds"),
                    format!(
                        "a rest of {rest_seconds} seconds is shorter than the minimum of {} seconds ({})",
                        min.value, min.source
                    ),
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn escalation(f: File<'_>, raw: raw::Escalation) -> Result<Escalation, PackError> {
    let (w, i, a) = (raw.worsening, raw.improvement, raw.attention);
    let out = Escalation {
        worsening_rise_points: f.dose(&w.rise_points, "worsening.rise_points")?,
        worsening_consecutive_days: f.dose(&w.consecutive_days, "worsening.consecutive_days")?,
        severe_at: f.dose(&w.severe_at, "worsening.severe_at")?,
        min_reduction_percent: f.dose(&i.min_reduction_percent, "improvement.min_reduction_percent")?,
        min_reduction_points: f.dose(&i.min_reduction_points, "improvement.min_reduction_points")?,
        points_apply_from_baseline: f
            .dose(&i.points_apply_from_baseline, "improvement.points_apply_from_baseline")?,
        review_after_days: f.dose(&i.review_after_days, "improvement.review_after_days")?,
        see_doctor_after_days: f.dose(&i.see_doctor_after_days, "improvement.see_doctor_after_days")?,
        red_flag_days: f.dose(&a.red_flag_days, "attention.red_flag_days")?,
    };
    for (dose, raw, field, max) in [
        (&out.worsening_rise_points, &w.rise_points, "worsening.rise_points", 10),
        (&out.severe_at, &w.severe_at, "worsening.severe_at", 10),
        (&out.min_reduction_percent, &i.min_reduction_percent, "improvement.min_reduction_percent", 100),
        (&out.min_reduction_points, &i.min_reduction_points, "improvement.min_reduction_points", 10),
        (
            &out.points_apply_from_baseline,
            &i.points_apply_from_baseline,
            "improvement.points_apply_from_baseline",
            10,
        ),
    ] {
        if dose.value > max {
            return Err(f.err(
                raw.value.span(),
                format!("{field}.value"),
                format!("must be from 1 to {max}"),
            ));
        }
    }
    if out.review_after_days.value > out.see_doctor_after_days.value {
        return Err(f.err(
            i.review_after_days.value.span(),
            "improvement.review_after_days.value",
            "must not be later than improvement.see_doctor_after_days",
        ));
    }
    Ok(out)
}

fn education(f: File<'_>, raw: raw::Education) -> Result<Education, PackError> {
    let topics = |list: Vec<raw::Topic>, name: &str| -> Result<Vec<Topic>, PackError> {
        list.into_iter()
            .enumerate()
            .map(|(i, t)| {
                Ok(Topic {
                    title: f.text(&t.title, format!("{name}[{i}].title"))?,
                    text: f.text(&t.text, format!("{name}[{i}].text"))?,
                    id: t.id,
                })
            })
            .collect()
    };
    Ok(Education {
        causes: topics(raw.causes, "causes")?,
        benefits: topics(raw.benefits, "benefits")?,
        stop: topics(raw.stop, "stop")?,
    })
}

/// Each intake field asked once, in the kind of answer the intake takes,
/// offering every word of its list (a word left out is a warning sign
/// nobody can report) and the whole range of a number.
fn questionnaire(f: File<'_>, raw: raw::Questionnaire) -> Result<Questionnaire, PackError> {
    let mut questions: Vec<Question> = Vec::with_capacity(raw.questions.len());
    for (i, q) in raw.questions.into_iter().enumerate() {
        let at = |name: &str| format!("questions[{i}].{name}");
        let Some(field) = Field::parse(q.field.get_ref()) else {
            return Err(f.err(
                q.field.span(),
                at("field"),
                format!("unknown intake field `{}`; allowed: {}", q.field.get_ref(), Field::allowed()),
            ));
        };
        let path = field.path();
        if let Some(first) = questions.iter().position(|o| o.field == field) {
            return Err(f.err(
                q.field.span(),
                at("field"),
                format!("`{path}` is asked twice (first by questions[{first}]); ask each field once"),
            ));
        }
        let shape = field.shape();
        let expected = match shape {
            Shape::Number { .. } => raw::Kind::Number,
            Shape::YesNo => raw::Kind::YesNo,
            Shape::OneOf(_) => raw::Kind::OneOf,
            Shape::AnyOf(_) => raw::Kind::AnyOf,
        };
        if *q.kind.get_ref() != expected {
            let name = match expected {
                raw::Kind::Number => "number",
                raw::Kind::YesNo => "yes_no",
                raw::Kind::OneOf => "one_of",
                raw::Kind::AnyOf => "any_of",
            };
            return Err(f.err(q.kind.span(), at("kind"), format!("`{path}` takes `{name}` answers")));
        }
        let help = q.help.as_ref().map(|h| f.text(h, at("help"))).transpose()?;
        let text = f.text(&q.text, at("text"))?;
        let kind = match shape {
            Shape::Number { min, max } => {
                no_options(f, &q, &at)?;
                for (value, name) in [(&q.min, "min"), (&q.max, "max")] {
                    let wanted = if name == "min" { min } else { max };
                    match value {
                        None => {
                            return Err(f.err(q.kind.span(), at(name), format!("a number needs `{name}`")));
                        }
                        Some(v) if *v.get_ref() != wanted => {
                            return Err(f.err(
                                v.span(),
                                at(name),
                                format!(
                                    "`{path}` must allow {min} to {max}, the whole range of intake v1: a \
                                     narrower range could hide an answer a rule looks for, a wider one \
                                     would be refused"
                                ),
                            ));
                        }
                        Some(_) => {}
                    }
                }
                Kind::Number { min, max }
            }
            Shape::YesNo => {
                no_range(f, &q, &at)?;
                no_options(f, &q, &at)?;
                Kind::YesNo
            }
            Shape::OneOf(words) => {
                no_range(f, &q, &at)?;
                Kind::OneOf(choices(f, &q, &words, &at)?)
            }
            Shape::AnyOf(words) => {
                no_range(f, &q, &at)?;
                Kind::AnyOf(choices(f, &q, &words, &at)?)
            }
        };
        questions.push(Question { field, text, help, kind });
    }
    if let Some(missing) = Field::ALL.into_iter().find(|field| !questions.iter().any(|q| q.field == *field)) {
        return Err(f.err(
            0..0,
            "questions",
            format!("`{}` is never asked; every intake field needs a question", missing.path()),
        ));
    }
    Ok(Questionnaire { questions })
}

/// A question that is not a number has no `min` or `max`.
fn no_range(f: File<'_>, q: &raw::Question, at: &dyn Fn(&str) -> String) -> Result<(), PackError> {
    for (value, name) in [(&q.min, "min"), (&q.max, "max")] {
        if let Some(v) = value {
            return Err(f.err(v.span(), at(name), "only a `number` question has a range"));
        }
    }
    Ok(())
}

/// A question that is not a choice has no `options`.
fn no_options(f: File<'_>, q: &raw::Question, at: &dyn Fn(&str) -> String) -> Result<(), PackError> {
    match &q.options {
        Some(o) => Err(f.err(o.span(), at("options"), "only a `one_of` or `any_of` question has options")),
        None => Ok(()),
    }
}

/// The options of a choice question: each of `words` once, with a label.
fn choices(
    f: File<'_>,
    q: &raw::Question,
    words: &[&'static str],
    at: &dyn Fn(&str) -> String,
) -> Result<Vec<Choice>, PackError> {
    let path = q.field.get_ref();
    let Some(options) = &q.options else {
        return Err(f.err(q.kind.span(), at("options"), format!("`{path}` needs its words as `options`")));
    };
    let mut out: Vec<Choice> = Vec::with_capacity(words.len());
    for (j, o) in options.get_ref().iter().enumerate() {
        let at = |name: &str| at(&format!("options[{j}].{name}"));
        let Some(word) = words.iter().copied().find(|w| w == o.word.get_ref()) else {
            return Err(f.err(
                o.word.span(),
                at("word"),
                format!("unknown word `{}` for `{path}`; allowed: {}", o.word.get_ref(), words.join(", ")),
            ));
        };
        if out.iter().any(|c| c.word == word) {
            return Err(f.err(o.word.span(), at("word"), format!("`{word}` is offered twice")));
        }
        out.push(Choice { word, label: f.text(&o.label, at("label"))? });
    }
    let missing: Vec<&str> = words.iter().copied().filter(|w| !out.iter().any(|c| c.word == *w)).collect();
    if !missing.is_empty() {
        return Err(f.err(
            options.span(),
            at("options"),
            format!(
                "`{path}` must offer every word of its list, or an answer could not be given; missing: {}",
                missing.join(", ")
            ),
        ));
    }
    Ok(out)
}
