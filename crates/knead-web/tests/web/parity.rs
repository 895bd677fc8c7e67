//! The web's session player keeps the session's rules as knead-core does.
//!
//! The rules live in knead-core's engine; the browser cannot run it (no
//! WebAssembly target here), so the page runs a port, `static/engine.js`.
//! knead-core's `parity` test writes what its engine does in scripted
//! sessions to `tests/parity/corpus.json` (and fails when that file is out
//! of date); this test runs every case of it through engine.js under Node
//! (`tests/parity/run.mjs`) and fails at the first case that differs, with
//! the events, view or record that differ. Node is required: a check that
//! quietly does not run would read as a pass.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn the_web_player_agrees_with_the_core_engine_on_every_case() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let run = Command::new("node")
        .arg(dir.join("tests/parity/run.mjs"))
        .arg(dir.join("tests/parity/corpus.json"))
        .arg(dir.join("static/engine.js"))
        .output()
        .unwrap_or_else(|e| {
            panic!("this test needs Node.js (`node` on the PATH; bash .ci/deps installs it): {e}")
        });
    let out = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "engine.js differs from knead-core's engine:\n{out}{err}");
    assert!(out.contains("cases agree"), "{out}{err}");
}
