//! The content pack exactly as written in TOML, before any checking.
//!
//! These types only mirror the files; [`super::load`] turns them into the
//! checked types of [`super`]. Fields that later checks refer to keep their
//! position in the file (`Spanned`) so an error can point at the line.

use crate::vocab::{Disposition, Equipment, HelperNeed, Position, TechniqueId};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub id: String,
    pub version: String,
    pub title: String,
    pub language: String,
    pub get_ready_seconds: Spanned<u32>,
    pub based_on: String,
    pub review_status: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Screening {
    #[serde(default)]
    pub sets: BTreeMap<String, Vec<String>>,
    pub dispositions: Dispositions,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dispositions {
    pub emergency: Headline,
    pub urgent: Headline,
    pub see_doctor_first: Headline,
    pub self_care_with_limits: Headline,
    pub self_care: Headline,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Headline {
    pub headline: Spanned<String>,
    pub with_helper: Option<String>,
    pub when_cleared: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: Spanned<String>,
    pub disposition: Disposition,
    pub when: Spanned<String>,
    pub excludes: Option<Spanned<Vec<TechniqueId>>>,
    pub message: Spanned<String>,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Techniques {
    pub techniques: Vec<Technique>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Technique {
    pub id: Spanned<TechniqueId>,
    pub name: String,
    pub summary: String,
    pub needs_any: Vec<Equipment>,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub id: Spanned<String>,
    pub helper: HelperNeed,
    pub steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: Spanned<String>,
    pub position: Position,
    pub instruction: Spanned<String>,
    #[serde(default)]
    pub cues: Vec<String>,
    pub seconds: Option<Spanned<Seconds>>,
    pub bouts: Option<Spanned<Bouts>>,
    #[serde(default)]
    pub ramp: bool,
    pub closing: Option<Spanned<bool>>,
    pub figure: Option<Figure>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub file: Spanned<String>,
    pub alt: Spanned<String>,
    pub licence: Spanned<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(untagged)]
pub enum Seconds {
    Fixed(u32),
    Range { min: u32, max: u32 },
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bouts {
    pub count: u32,
    pub work_seconds: u32,
    pub rest_seconds: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Doses {
    pub daily: Daily,
    pub session: SessionDoses,
    pub techniques: BTreeMap<Spanned<String>, TechniqueDoses>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Daily {
    pub sessions_max: Dose,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionDoses {
    pub counted_min_seconds: Dose,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechniqueDoses {
    pub session_max_seconds: Option<Dose>,
    pub bout_max_seconds: Option<Dose>,
    pub rest_min_seconds: Option<Dose>,
    pub ramp_seconds: Option<DoseRange>,
    pub daily_max_seconds: Option<Dose>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dose {
    pub value: Spanned<u32>,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoseRange {
    pub min: Spanned<u32>,
    pub max: u32,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    pub worsening: Worsening,
    pub improvement: Improvement,
    pub attention: Attention,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attention {
    pub red_flag_days: Dose,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Worsening {
    pub rise_points: Dose,
    pub consecutive_days: Dose,
    pub severe_at: Dose,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Improvement {
    pub min_reduction_percent: Dose,
    pub min_reduction_points: Dose,
    pub points_apply_from_baseline: Dose,
    pub review_after_days: Dose,
    pub see_doctor_after_days: Dose,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Education {
    pub causes: Vec<Topic>,
    pub benefits: Vec<Topic>,
    pub stop: Vec<Topic>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub id: String,
    pub title: Spanned<String>,
    pub text: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    pub questions: Vec<Question>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub field: Spanned<String>,
    pub kind: Spanned<Kind>,
    pub text: Spanned<String>,
    pub help: Option<Spanned<String>>,
    pub min: Option<Spanned<i64>>,
    pub max: Option<Spanned<i64>>,
    pub options: Option<Spanned<Vec<Choice>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Number,
    YesNo,
    OneOf,
    AnyOf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub word: Spanned<String>,
    pub label: Spanned<String>,
}
