//! Shared helpers: the built-in pack and intakes built from a small base.

use knead_core::intake::Intake;
use knead_core::pack::ContentPack;
use knead_core::screening::{self, ScreeningResult};
use serde_json::{Value, json};

pub fn pack() -> ContentPack {
    ContentPack::builtin().expect("the built-in pack loads")
}

/// A 30-year-old with mild, recent, gradual aching pain and nothing else:
/// the base every rule test adds to.
pub fn base() -> Value {
    json!({
        "age_years": 30,
        "pain": {"intensity": 3, "duration_days": 5, "onset": "gradual", "character": ["aching"]}
    })
}

/// The base intake with `patch` merged in (objects merge, other values replace).
pub fn intake(patch: Value) -> Intake {
    let mut value = base();
    merge(&mut value, patch);
    Intake::from_json(&value.to_string()).unwrap_or_else(|e| panic!("test intake is valid: {e}"))
}

fn merge(into: &mut Value, patch: Value) {
    match (into, patch) {
        (Value::Object(into), Value::Object(patch)) => {
            for (k, v) in patch {
                merge(into.entry(k).or_insert(Value::Null), v);
            }
        }
        (into, patch) => *into = patch,
    }
}

pub fn screen(patch: Value) -> ScreeningResult {
    screening::screen(&pack(), &intake(patch))
}

pub fn rule_ids(result: &ScreeningResult) -> Vec<&str> {
    result.reasons.iter().map(|r| r.rule.as_str()).collect()
}
