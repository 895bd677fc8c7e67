//! The worked cases of shared/clinical through the binary, as data.
//!
//! The sample is kept in tests/data so the suite runs on any clone; when
//! the shared folder sits beside the repository (as in CI), every vignette
//! file there runs too, so a newer or larger set is picked up unchanged.

use crate::support::check_json;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn vignette_files() -> Vec<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![here.join("tests/data/vignettes-sample.json")];
    let shared = here.join("../../../shared/clinical");
    if let Ok(entries) = std::fs::read_dir(&shared) {
        let mut more: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("vignettes")))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        more.sort();
        files.extend(more);
    }
    files
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[test]
fn every_vignette_gets_its_expected_result() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in vignette_files() {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let cases: Vec<Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in cases {
            let id = case["id"].as_str().unwrap_or("?").to_owned();
            let expect = &case["expect"];
            let result = check_json(&case["intake"].to_string());
            checked += 1;
            let disposition = result["disposition"].as_str().unwrap_or_default();
            if disposition != expect["disposition"] {
                failures.push(format!("{id}: {disposition}, expected {}", expect["disposition"]));
                continue;
            }
            if let Some(expected) = expect.get("excluded_techniques") {
                let mut want = strings(expected);
                want.sort();
                let mut got: Vec<String> = result["techniques"]["excluded"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["technique"].as_str().unwrap().to_owned())
                    .collect();
                got.sort();
                if got != want {
                    failures.push(format!("{id}: excluded {got:?}, expected {want:?}"));
                }
            }
            // must_mention: in the messages shown for the deciding rules.
            let shown: String = result["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["disposition"] == result["disposition"])
                .map(|r| r["message"].as_str().unwrap().to_lowercase())
                .collect::<Vec<_>>()
                .join(" ");
            let shown = format!("{shown} {}", result["headline"].as_str().unwrap().to_lowercase());
            for word in strings(&expect["must_mention"]) {
                if !shown.contains(&word.to_lowercase()) {
                    failures.push(format!("{id}: does not mention {word:?}"));
                }
            }
            let permitted = matches!(disposition, "self_care" | "self_care_with_limits");
            if !permitted && !result["techniques"]["allowed"].as_array().unwrap().is_empty() {
                failures.push(format!("{id}: techniques allowed above self-care"));
            }
        }
    }
    assert!(checked >= 17, "only {checked} vignettes ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
