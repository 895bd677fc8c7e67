//! Shell completions and the manual page, generated from the command
//! definitions: every shell gets a script, bash accepts its script, the
//! page is roff that names every command, and what is committed under
//! `docs/` is what the binary prints (regenerate with
//! `UPDATE_GENERATED=1 cargo test --test cli generated`).

use crate::support::knead;
use std::path::PathBuf;

const COMMANDS: [&str; 18] = [
    "start",
    "check",
    "plan",
    "techniques",
    "learn",
    "log",
    "checkin",
    "history",
    "progress",
    "export",
    "import",
    "remind",
    "serve",
    "admin",
    "report",
    "handout",
    "completions",
    "man",
];

fn printed(args: &[&str]) -> String {
    let out = knead().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

fn update() -> bool {
    std::env::var("UPDATE_GENERATED").is_ok_and(|v| v == "1")
}

const STALE: &str = "differs from what knead generates (or is missing); if the change to the commands is \
                     intended, run `UPDATE_GENERATED=1 cargo test --test cli generated` and commit it";

/// The committed copy of what `args` prints, in `docs/`.
fn committed(file: &str, args: &[&str]) {
    let path = docs().join(file);
    let now = printed(args);
    if update() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &now).unwrap();
        return;
    }
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(kept == now, "{} {STALE}", path.display());
}

#[test]
fn every_shell_gets_completions_that_know_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = printed(&["completions", shell]);
        for command in ["history", "completions", "report"] {
            assert!(script.contains(command), "{shell} does not complete {command}");
        }
        assert!(script.contains("since"), "{shell} does not complete history --since");
    }
    let out = knead().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bash"), "the shells are listed");
}

#[test]
fn bash_loads_its_completions_and_completes_a_command() {
    let script = printed(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("knead.bash");
    std::fs::write(&file, script).unwrap();
    // What bash offers after `knead hi<TAB>`.
    let probe = format!(
        "source '{}'; COMP_WORDS=(knead hi); COMP_CWORD=1; COMP_LINE='knead hi'; COMP_POINT=8; \
         $(complete -p knead | sed -E 's/.*-F ([^ ]+).*/\\1/') knead hi knead; echo \"${{COMPREPLY[@]}}\"",
        file.display()
    );
    let out = std::process::Command::new("bash").args(["--norc", "-c", &probe]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "history");
}

#[test]
fn the_manual_page_is_roff_and_names_every_command() {
    let page = printed(&["man"]);
    assert!(page.starts_with(".ie"), "roff: {}", &page[..page.len().min(80)]);
    assert!(page.contains(".TH knead 1"), "a section 1 page");
    for command in COMMANDS {
        assert!(page.contains(command), "the page does not name {command}");
    }
}

#[test]
fn man_dir_writes_a_page_for_each_command_as_committed() {
    let dir = tempfile::tempdir().unwrap();
    let written = dir.path().join("man1");
    printed(&["man", "--dir", written.to_str().unwrap()]);
    let names = |dir: &std::path::Path| -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        names
    };
    let pages = names(&written);
    // One for knead itself, and `admin`'s own three besides `admin`.
    assert_eq!(pages.len(), COMMANDS.len() + 4, "{pages:?}");
    for admin in ["reset-password", "backup", "restore"] {
        assert!(pages.contains(&format!("knead-admin-{admin}.1")), "{pages:?}");
    }
    assert!(pages.contains(&"knead-history.1".to_owned()), "{pages:?}");
    let history = std::fs::read_to_string(written.join("knead-history.1")).unwrap();
    assert!(history.contains("since") && history.contains("limit"), "{history}");
    assert_eq!(printed(&["man"]), std::fs::read_to_string(written.join("knead.1")).unwrap());

    let kept = docs().join("man");
    if update() {
        let _ = std::fs::remove_dir_all(&kept);
        printed(&["man", "--dir", kept.to_str().unwrap()]);
        return;
    }
    assert_eq!(names(&kept), pages, "docs/man {STALE}");
    for page in pages {
        let (now, was) =
            (std::fs::read(written.join(&page)).unwrap(), std::fs::read(kept.join(&page)).unwrap());
        assert!(now == was, "docs/man/{page} {STALE}");
    }
}

#[test]
fn the_committed_completions_are_current() {
    committed("completions/knead.bash", &["completions", "bash"]);
    committed("completions/_knead", &["completions", "zsh"]);
    committed("completions/knead.fish", &["completions", "fish"]);
    committed("completions/knead.elv", &["completions", "elvish"]);
    committed("completions/_knead.ps1", &["completions", "powershell"]);
}
