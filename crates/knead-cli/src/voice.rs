//! Spoken cues through espeak-ng, where it is installed.

use std::process::{Child, Command, Stdio};

/// Speaks cues, or does nothing when voice is off.
pub struct Voice {
    enabled: bool,
    speaking: Option<Child>,
}

impl Voice {
    /// No voice.
    pub fn off() -> Self {
        Voice { enabled: false, speaking: None }
    }

    /// A voice through espeak-ng, or why there can't be one.
    pub fn espeak() -> Result<Self, String> {
        match Command::new("espeak-ng").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status()
        {
            Ok(status) if status.success() => Ok(Voice { enabled: true, speaking: None }),
            _ => Err("spoken cues need espeak-ng, which is not installed here \
                      (on Debian or Ubuntu: sudo apt install espeak-ng). Carrying on without a voice."
                .to_owned()),
        }
    }

    /// Say `text`, cutting off whatever is still being said.
    pub fn say(&mut self, text: &str) {
        if !self.enabled {
            return;
        }
        self.hush();
        self.speaking = Command::new("espeak-ng")
            .args(["-s", "150", "--", text])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok();
    }

    fn hush(&mut self) {
        if let Some(mut child) = self.speaking.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Voice {
    fn drop(&mut self) {
        self.hush();
    }
}
