//! Running the built `knead` binary.

use assert_cmd::Command;

pub fn knead() -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("knead");
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Run `knead ARGS` with `stdin`; returns (status, stdout, stderr).
pub fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = knead().args(args).write_stdin(stdin.to_owned()).output().expect("knead runs");
    (
        out.status.code().expect("knead exits with a status, not a signal"),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// `knead check --intake - --format json` on `intake`.
pub fn check_json(intake: &str) -> serde_json::Value {
    let (status, stdout, stderr) = run(&["check", "--intake", "-", "--format", "json"], intake);
    assert_eq!(status, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("check prints JSON")
}
