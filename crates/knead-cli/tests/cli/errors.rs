//! Bad input: exit status 2, one clear line on standard error naming the
//! field and what is allowed, nothing on standard output.

use crate::support::run;

const GOOD: &str = r#"{"age_years": 40, "pain": {"intensity": 3, "duration_days": 2}}"#;

fn refused(args: &[&str], stdin: &str) -> String {
    let (status, stdout, stderr) = run(args, stdin);
    assert_eq!(status, 2, "{args:?} {stdin}: {stdout} {stderr}");
    assert!(stdout.is_empty(), "no partial answer: {stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn the_good_intake_is_accepted_by_every_command() {
    for cmd in ["check", "plan"] {
        for format in ["text", "json"] {
            let (status, stdout, stderr) = run(&[cmd, "--intake", "-", "--format", format], GOOD);
            assert_eq!(status, 0, "{cmd} {format}: {stderr}");
            assert!(!stdout.is_empty());
        }
    }
}

#[test]
fn each_kind_of_bad_intake_is_one_clear_line() {
    let cases = [
        (r#"{"age_years": 40, "pain": {"intensity": 11, "duration_days": 2}}"#, "pain.intensity", "0 to 10"),
        (
            r#"{"age_years": 40, "pain": {"intensity": 1, "duration_days": 2}, "pets": 2}"#,
            "pets",
            "unknown field",
        ),
        (
            r#"{"age_years": 40, "pain": {"intensity": 1, "duration_days": 2}, "history": ["asthma"]}"#,
            "history[0]",
            "anticoagulants",
        ),
        (r#"{"age_years": "x", "pain": {"intensity": 1, "duration_days": 2}}"#, "age_years", "whole number"),
        (r#"{"age_years": 40, "pain": "#, "intake", "malformed JSON"),
        ("", "intake", "malformed JSON"),
    ];
    for (stdin, field, allowed) in cases {
        for cmd in ["check", "plan"] {
            let stderr = refused(&[cmd, "--intake", "-", "--format", "json"], stdin);
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.contains(&format!("{field}:")), "{field} in {stderr}");
            assert!(stderr.contains(allowed), "{allowed} in {stderr}");
        }
    }
}

#[test]
fn a_missing_file_is_named() {
    let stderr = refused(&["check", "--intake", "/nonexistent/intake.json"], "");
    assert!(stderr.contains("/nonexistent/intake.json") && stderr.contains("no such file"), "{stderr}");
}

#[test]
fn a_directory_is_not_an_intake() {
    let stderr = refused(&["check", "--intake", "/"], "");
    assert!(stderr.starts_with("knead: cannot read the intake from /"), "{stderr}");
}

#[test]
fn a_huge_intake_is_refused_before_parsing() {
    let huge = format!(r#"{{"age_years": 40, "pad": "{}"}}"#, "x".repeat(200_000));
    let stderr = refused(&["check", "--intake", "-"], &huge);
    assert!(stderr.contains("larger than 64 KiB"), "{stderr}");
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let stderr = refused(&["check", "--intake", "-", "--format", "yaml"], GOOD);
    assert!(stderr.contains("yaml") && stderr.contains("json"), "{stderr}");
}

#[test]
fn a_broken_pack_directory_points_at_file_line_and_field() {
    let dir = tempdir();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content/midback");
    std::fs::create_dir_all(dir.join("figures")).unwrap();
    for folder in ["", "figures"] {
        for entry in std::fs::read_dir(source.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                continue;
            }
            let mut text = std::fs::read_to_string(&path).unwrap();
            if path.ends_with("doses.toml") {
                text = text.replace("value = 30,", "value = 20,");
            }
            std::fs::write(dir.join(folder).join(path.file_name().unwrap()), text).unwrap();
        }
    }
    let stderr = refused(&["--pack", dir.to_str().unwrap(), "techniques"], "");
    assert!(stderr.contains("techniques.toml:"), "{stderr}");
    assert!(stderr.contains("techniques[1].variants[0].steps[2].bouts.work_seconds"), "{stderr}");
    assert!(stderr.contains("longer than the limit of 20 seconds"), "{stderr}");

    // A figure in the folder is checked like the rest of the pack.
    let figure = dir.join("figures/hands-knead.svg");
    let svg = std::fs::read_to_string(&figure).unwrap().replacen("<svg ", "<svg onload=\"alert(1)\" ", 1);
    std::fs::write(&figure, svg).unwrap();
    let doses = dir.join("doses.toml");
    std::fs::write(&doses, std::fs::read_to_string(&doses).unwrap().replace("value = 20,", "value = 30,"))
        .unwrap();
    let stderr = refused(&["--pack", dir.to_str().unwrap(), "techniques"], "");
    assert!(stderr.contains("figures/hands-knead.svg:1:"), "{stderr}");
    assert!(stderr.contains("`onload` is an event handler"), "{stderr}");

    std::fs::remove_file(dir.join("education.toml")).unwrap();
    let stderr = refused(&["--pack", dir.to_str().unwrap(), "techniques"], "");
    assert!(stderr.contains("education.toml") && stderr.contains("no such file"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_builtin_pack_can_be_loaded_from_its_directory() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content/midback");
    let (status, from_dir, _) = run(&["--pack", dir.to_str().unwrap(), "techniques", "--format", "json"], "");
    assert_eq!(status, 0);
    let (_, builtin, _) = run(&["techniques", "--format", "json"], "");
    assert_eq!(from_dir, builtin);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "knead-cli-test-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
