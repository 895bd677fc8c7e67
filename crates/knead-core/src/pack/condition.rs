//! The condition language of screening rules.
//!
//! A rule's `when` is a short expression that reads like the notation of the
//! screening reference (`symptoms has_any [fever, chills]`,
//! `pain.intensity >= 7`). It is parsed once, when the pack loads, into a
//! typed [`Condition`]: every field, list word, named set and rule reference
//! is resolved then, so evaluation cannot fail and a typo cannot hide.
//! The grammar is in the header of `content/midback/screening.toml`.

use crate::intake::Intake;
use crate::vocab::{Character, History, Onset, Pattern, Radiation, Skin, Symptom, Vocabulary};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

/// A parsed, checked rule condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Every part holds.
    All(Vec<Condition>),
    /// At least one part holds.
    Any(Vec<Condition>),
    /// The part does not hold.
    Not(Box<Condition>),
    /// A number field compared with a constant.
    Compare {
        /// Which number.
        field: NumberField,
        /// How to compare.
        op: CompareOp,
        /// The constant.
        value: i64,
    },
    /// `pain.onset is …`.
    OnsetIs(Onset),
    /// `pain.after_trauma`.
    AfterTrauma,
    /// At least `n` of `words` are in a list field.
    HasAtLeast {
        /// The list field and the words looked for.
        words: ListWords,
        /// How many must be present.
        n: usize,
    },
    /// An earlier rule (by its position in the pack) matched.
    Rule(usize),
}

/// The number fields of an intake that a condition can compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberField {
    /// `age_years`.
    AgeYears,
    /// `pain.intensity`.
    Intensity,
    /// `pain.duration_days`.
    DurationDays,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

/// A list field of the intake with the words a condition looks for in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListWords {
    /// `pain.character`.
    Character(BTreeSet<Character>),
    /// `pain.pattern`.
    Pattern(BTreeSet<Pattern>),
    /// `pain.radiates_to`.
    RadiatesTo(BTreeSet<Radiation>),
    /// `symptoms`.
    Symptoms(BTreeSet<Symptom>),
    /// `history`.
    History(BTreeSet<History>),
    /// `skin_at_site`.
    SkinAtSite(BTreeSet<Skin>),
}

impl ListWords {
    fn len(&self) -> usize {
        match self {
            Self::Character(w) => w.len(),
            Self::Pattern(w) => w.len(),
            Self::RadiatesTo(w) => w.len(),
            Self::Symptoms(w) => w.len(),
            Self::History(w) => w.len(),
            Self::SkinAtSite(w) => w.len(),
        }
    }

    fn present(&self, intake: &Intake) -> usize {
        fn count<V: Ord>(have: &BTreeSet<V>, want: &BTreeSet<V>) -> usize {
            have.intersection(want).count()
        }
        match self {
            Self::Character(w) => count(&intake.pain.character, w),
            Self::Pattern(w) => count(&intake.pain.pattern, w),
            Self::RadiatesTo(w) => count(&intake.pain.radiates_to, w),
            Self::Symptoms(w) => count(&intake.symptoms, w),
            Self::History(w) => count(&intake.history, w),
            Self::SkinAtSite(w) => count(&intake.skin_at_site, w),
        }
    }
}

impl Condition {
    /// Whether the condition holds for an intake. `earlier[i]` says whether
    /// rule `i` matched; a condition only refers to rules before its own.
    pub fn holds(&self, intake: &Intake, earlier: &[bool]) -> bool {
        match self {
            Self::All(parts) => parts.iter().all(|c| c.holds(intake, earlier)),
            Self::Any(parts) => parts.iter().any(|c| c.holds(intake, earlier)),
            Self::Not(part) => !part.holds(intake, earlier),
            Self::Compare { field, op, value } => {
                let actual = match field {
                    NumberField::AgeYears => i64::from(intake.age_years.get()),
                    NumberField::Intensity => i64::from(intake.pain.intensity.get()),
                    NumberField::DurationDays => i64::from(intake.pain.duration_days.get()),
                };
                match op {
                    CompareOp::Lt => actual < *value,
                    CompareOp::Le => actual <= *value,
                    CompareOp::Gt => actual > *value,
                    CompareOp::Ge => actual >= *value,
                    CompareOp::Eq => actual == *value,
                    CompareOp::Ne => actual != *value,
                }
            }
            Self::OnsetIs(onset) => intake.pain.onset == *onset,
            Self::AfterTrauma => intake.pain.after_trauma,
            Self::HasAtLeast { words, n } => words.present(intake) >= *n,
            Self::Rule(index) => earlier.get(*index).copied().unwrap_or(false),
        }
    }
}

/// A mistake in a condition: where in the expression, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError {
    /// Byte range in the expression text.
    pub at: Range<usize>,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// What a condition may refer to besides intake fields.
pub struct Scope<'a> {
    /// Named word sets (`@name`).
    pub sets: &'a BTreeMap<String, Vec<String>>,
    /// Ids of the rules before this one, with their positions.
    pub earlier_rules: &'a BTreeMap<String, usize>,
    /// Ids of every rule in the pack, to tell "later" from "unknown".
    pub all_rules: &'a BTreeSet<String>,
}

/// Parse and check a condition.
pub fn parse(text: &str, scope: &Scope<'_>) -> Result<Condition, ConditionError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, pos: 0, scope, end: text.len() };
    let condition = parser.or()?;
    match parser.tokens.get(parser.pos) {
        None => Ok(condition),
        Some(t) => Err(ConditionError {
            at: t.at.clone(),
            message: format!("unexpected `{}`; expected `and`, `or` or the end", t.text),
        }),
    }
}

#[derive(Debug, Clone)]
struct Token {
    text: String,
    at: Range<usize>,
}

fn tokenize(text: &str) -> Result<Vec<Token>, ConditionError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        let mut end = start + c.len_utf8();
        chars.next();
        if word(c) {
            while let Some(&(i, d)) = chars.peek() {
                if !word(d) {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
        } else if matches!(c, '<' | '>' | '=' | '!') {
            if let Some(&(i, '=')) = chars.peek() {
                end = i + 1;
                chars.next();
            }
        } else if !matches!(c, '(' | ')' | '[' | ']' | ',' | '@') {
            return Err(ConditionError { at: start..end, message: format!("unexpected character `{c}`") });
        }
        tokens.push(Token { text: text[start..end].to_owned(), at: start..end });
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    scope: &'a Scope<'a>,
    end: usize,
}

const LIST_FIELDS: &str = "pain.character, pain.pattern, pain.radiates_to, symptoms, history, skin_at_site";
const FIELDS: &str = "age_years, pain.intensity, pain.duration_days, pain.onset, pain.after_trauma, \
     pain.character, pain.pattern, pain.radiates_to, symptoms, history, skin_at_site";

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(|t| t.text.as_str())
    }

    fn next(&mut self, expected: &str) -> Result<Token, ConditionError> {
        match self.tokens.get(self.pos) {
            Some(t) => {
                self.pos += 1;
                Ok(t.clone())
            }
            None => Err(ConditionError {
                at: self.end..self.end,
                message: format!("the condition ends too early; expected {expected}"),
            }),
        }
    }

    fn expect(&mut self, word: &str) -> Result<Token, ConditionError> {
        let t = self.next(&format!("`{word}`"))?;
        if t.text == word {
            Ok(t)
        } else {
            Err(ConditionError { at: t.at, message: format!("expected `{word}`, found `{}`", t.text) })
        }
    }

    fn or(&mut self) -> Result<Condition, ConditionError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some("or") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Condition::Any(parts) })
    }

    fn and(&mut self) -> Result<Condition, ConditionError> {
        let mut parts = vec![self.unary()?];
        while self.peek() == Some("and") {
            self.pos += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Condition::All(parts) })
    }

    fn unary(&mut self) -> Result<Condition, ConditionError> {
        if self.peek() == Some("not") {
            self.pos += 1;
            return Ok(Condition::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Condition, ConditionError> {
        let t = self.next("a field, `not`, `rule` or `(`")?;
        match t.text.as_str() {
            "(" => {
                let inner = self.or()?;
                self.expect(")")?;
                Ok(inner)
            }
            "rule" => self.rule(),
            "age_years" => self.compare(NumberField::AgeYears, crate::units::Age::MAX.into()),
            "pain.intensity" => self.compare(NumberField::Intensity, crate::units::PainScore::MAX.into()),
            "pain.duration_days" => {
                self.compare(NumberField::DurationDays, crate::units::DurationDays::MAX.into())
            }
            "pain.onset" => {
                self.expect("is")?;
                let w = self.next("`gradual` or `sudden`")?;
                Ok(Condition::OnsetIs(word::<Onset>(&w, "pain.onset")?))
            }
            "pain.after_trauma" => Ok(Condition::AfterTrauma),
            "pain.character" => self.list(&t, ListWords::Character),
            "pain.pattern" => self.list(&t, ListWords::Pattern),
            "pain.radiates_to" => self.list(&t, ListWords::RadiatesTo),
            "symptoms" => self.list(&t, ListWords::Symptoms),
            "history" => self.list(&t, ListWords::History),
            "skin_at_site" => self.list(&t, ListWords::SkinAtSite),
            "equipment" | "helper_available" | "clinician_cleared" => Err(ConditionError {
                at: t.at,
                message: format!(
                    "`{}` may not appear in a rule: it never changes a disposition \
                     (screening reference §0, §1.5, §1.6)",
                    t.text
                ),
            }),
            other => Err(ConditionError {
                at: t.at,
                message: format!("unknown field `{other}`; allowed: {FIELDS}"),
            }),
        }
    }

    fn rule(&mut self) -> Result<Condition, ConditionError> {
        let id = self.next("a rule id")?;
        if let Some(&index) = self.scope.earlier_rules.get(&id.text) {
            Ok(Condition::Rule(index))
        } else if self.scope.all_rules.contains(&id.text) {
            Err(ConditionError {
                at: id.at,
                message: format!(
                    "rule `{}` comes later in the pack; a rule may only refer to earlier rules",
                    id.text
                ),
            })
        } else {
            Err(ConditionError { at: id.at, message: format!("unknown rule `{}`", id.text) })
        }
    }

    fn compare(&mut self, field: NumberField, max: i64) -> Result<Condition, ConditionError> {
        let op_token = self.next("a comparison (<, <=, >, >=, ==, !=)")?;
        let op = match op_token.text.as_str() {
            "<" => CompareOp::Lt,
            "<=" => CompareOp::Le,
            ">" => CompareOp::Gt,
            ">=" => CompareOp::Ge,
            "==" => CompareOp::Eq,
            "!=" => CompareOp::Ne,
            other => {
                return Err(ConditionError {
                    at: op_token.at,
                    message: format!("expected a comparison (<, <=, >, >=, ==, !=), found `{other}`"),
                });
            }
        };
        let n = self.next("a whole number")?;
        let value = n.text.parse::<i64>().ok().filter(|v| (0..=max + 1).contains(v)).ok_or_else(|| {
            ConditionError {
                at: n.at.clone(),
                message: format!("expected a whole number from 0 to {}, found `{}`", max + 1, n.text),
            }
        })?;
        Ok(Condition::Compare { field, op, value })
    }

    fn list<V: Vocabulary>(
        &mut self,
        field: &Token,
        wrap: fn(BTreeSet<V>) -> ListWords,
    ) -> Result<Condition, ConditionError> {
        let how = self.next("`has`, `has_any` or `has_at_least`")?;
        let (words, n) = match how.text.as_str() {
            "has" => {
                let w = self.next("a word")?;
                (BTreeSet::from([word::<V>(&w, &field.text)?]), 1)
            }
            "has_any" => (self.words::<V>(&field.text)?, 1),
            "has_at_least" => {
                let n_token = self.next("a whole number")?;
                let n =
                    n_token.text.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| ConditionError {
                        at: n_token.at.clone(),
                        message: format!("expected a whole number of 1 or more, found `{}`", n_token.text),
                    })?;
                self.expect("of")?;
                let words = self.words::<V>(&field.text)?;
                if n > words.len() {
                    return Err(ConditionError {
                        at: n_token.at,
                        message: format!("can never match: asks for {n} of only {} words", words.len()),
                    });
                }
                (words, n)
            }
            other => {
                return Err(ConditionError {
                    at: how.at,
                    message: format!(
                        "expected `has`, `has_any` or `has_at_least` after a list field, found `{other}`"
                    ),
                });
            }
        };
        let words = wrap(words);
        debug_assert!(words.len() >= n);
        Ok(Condition::HasAtLeast { words, n })
    }

    /// `[a, b, c]` or `@set`.
    fn words<V: Vocabulary>(&mut self, field: &str) -> Result<BTreeSet<V>, ConditionError> {
        let open = self.next("`[` or `@set`")?;
        let mut out = BTreeSet::new();
        match open.text.as_str() {
            "@" => {
                let name = self.next("a set name")?;
                let Some(set) = self.scope.sets.get(&name.text) else {
                    let known: Vec<_> = self.scope.sets.keys().map(String::as_str).collect();
                    return Err(ConditionError {
                        at: name.at,
                        message: format!("unknown set `@{}`; defined: {}", name.text, known.join(", ")),
                    });
                };
                for w in set {
                    let v = V::parse(w).ok_or_else(|| ConditionError {
                        at: name.at.clone(),
                        message: format!(
                            "set `@{}` holds `{w}`, which is not a value of {field}; allowed: {}",
                            name.text,
                            V::allowed()
                        ),
                    })?;
                    out.insert(v);
                }
            }
            "[" => loop {
                let w = self.next("a word")?;
                out.insert(word::<V>(&w, field)?);
                let sep = self.next("`,` or `]`")?;
                match sep.text.as_str() {
                    "," => continue,
                    "]" => break,
                    other => {
                        return Err(ConditionError {
                            at: sep.at,
                            message: format!("expected `,` or `]`, found `{other}`"),
                        });
                    }
                }
            },
            other => {
                return Err(ConditionError {
                    at: open.at,
                    message: format!(
                        "expected `[` or `@set` after {field}, found `{other}`; list fields: {LIST_FIELDS}"
                    ),
                });
            }
        }
        Ok(out)
    }
}

fn word<V: Vocabulary>(t: &Token, field: &str) -> Result<V, ConditionError> {
    V::parse(&t.text).ok_or_else(|| ConditionError {
        at: t.at.clone(),
        message: format!("unknown value `{}` for {field}; allowed: {}", t.text, V::allowed()),
    })
}
