//! Driving `knead` in a real pseudo-terminal through tmux, as a person would.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux session running one command in a window 24 lines high (80
/// columns unless asked); killed on drop.
pub struct Tmux {
    name: String,
}

impl Tmux {
    /// Start `knead ARGS` (with `env`) in a new detached session.
    pub fn knead(args: &[&str], env: &[(&str, &str)]) -> Tmux {
        Tmux::knead_in(80, args, env)
    }

    /// [`Tmux::knead`] in a window `columns` wide (24 lines high).
    pub fn knead_in(columns: u16, args: &[&str], env: &[(&str, &str)]) -> Tmux {
        let bin = assert_cmd::cargo::cargo_bin!("knead");
        let name = format!("knead-test-{}-{}", std::process::id(), unique());
        let mut line = String::from("env TERM=xterm-256color");
        for (k, v) in env {
            line.push_str(&format!(" {k}='{v}'"));
        }
        line.push_str(&format!(" '{}'", bin.display()));
        for a in args {
            line.push_str(&format!(" '{a}'"));
        }
        // Keep the window after knead exits so its last screen can be read.
        line.push_str("; echo '[knead exited]'; sleep 600");
        let ok = Command::new("tmux")
            .args(["new-session", "-d", "-s", &name, "-x", &columns.to_string(), "-y", "24", &line])
            .status()
            .expect("tmux is installed (bash .ci/run installs it)")
            .success();
        assert!(ok, "tmux new-session failed");
        Tmux { name }
    }

    /// Type keys (tmux key names: "Enter", "Space", "Down", or text).
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            let ok =
                Command::new("tmux").args(["send-keys", "-t", &self.name, key]).status().unwrap().success();
            assert!(ok);
            pause(150);
        }
    }

    /// The screen now.
    pub fn screen(&self) -> String {
        let out = Command::new("tmux").args(["capture-pane", "-p", "-t", &self.name]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Wait until the screen shows `text`; panics with the screen after `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        let deadline = after(secs);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(!passed(deadline), "waited {secs} s for {text:?}; the screen is:\n{screen}");
            pause(100);
        }
    }

    /// Wait until process `pid` has gone.
    pub fn wait_until_gone(&self, pid: u32, secs: u64) {
        let deadline = after(secs);
        while Path::new(&format!("/proc/{pid}")).exists() {
            assert!(!passed(deadline), "process {pid} is still there after {secs} s");
            pause(50);
        }
    }

    /// Answer a prompt: wait for it, then type.
    pub fn answer(&self, prompt: &str, keys: &[&str]) {
        self.wait_for(prompt, 10);
        self.keys(keys);
    }

    /// The process id of knead in the pane (for the kill test).
    pub fn knead_pid(&self) -> u32 {
        let out = Command::new("tmux")
            .args(["list-panes", "-t", &self.name, "-F", "#{pane_pid}"])
            .output()
            .unwrap();
        let shell: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        let children =
            std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap_or_default();
        children
            .split_whitespace()
            .filter_map(|p| p.parse::<u32>().ok())
            .find(|pid| {
                std::fs::read_link(format!("/proc/{pid}/exe"))
                    .is_ok_and(|exe| exe.file_name().is_some_and(|n| n == "knead"))
            })
            .expect("knead runs in the pane")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.name]).status();
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[allow(clippy::disallowed_methods, reason = "end-to-end tests wait on a real terminal")]
fn pause(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

#[allow(clippy::disallowed_methods, reason = "end-to-end tests wait on a real terminal")]
fn after(secs: u64) -> Instant {
    Instant::now() + Duration::from_secs(secs)
}

#[allow(clippy::disallowed_methods, reason = "end-to-end tests wait on a real terminal")]
fn passed(deadline: Instant) -> bool {
    Instant::now() > deadline
}

/// A fresh data directory.
pub fn data_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Lines broken between words: text wrapped by knead leaves the window's
/// last column free, so a line that fills a window `columns` wide was
/// broken by the terminal, wherever the edge fell (mid-word).
pub fn assert_wrapped_by_words(screen: &str, columns: usize) {
    for line in screen.lines() {
        assert!(
            line.chars().count() < columns,
            "a line fills the window (broken mid-word?): {line:?}\n{screen}"
        );
    }
}

/// The journal in `dir`, opened with the store (as a second program would).
pub fn journal(dir: &Path) -> (tokio::runtime::Runtime, knead_store::sqlite::SqliteStore) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let store = rt.block_on(knead_store::sqlite::SqliteStore::open(&dir.join("journal.sqlite3"))).unwrap();
    (rt, store)
}
