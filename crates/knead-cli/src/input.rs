//! Reading what the person gives: an intake file (or standard input) and
//! an optional content-pack directory. Every failure here is the person's
//! input being refused, reported in one line that names what is wrong.

use crate::Failure;
use knead_core::intake::Intake;
use knead_core::pack::{ContentPack, FIGURES_DIR, PACK_FILES};
use std::io::Read;
use std::path::Path;

/// An intake is at most this big; anything larger is not an intake.
const MAX_INTAKE_BYTES: u64 = 64 * 1024;

pub fn intake(path: &Path) -> Result<Intake, Failure> {
    let mut text = String::new();
    let what = if path == Path::new("-") { "standard input".to_owned() } else { path.display().to_string() };
    let read = if path == Path::new("-") {
        std::io::stdin().lock().take(MAX_INTAKE_BYTES + 1).read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INTAKE_BYTES + 1).read_to_string(&mut text))
    };
    read.map_err(|e| Failure::Input(format!("cannot read the intake from {what}: {}", plain_io(&e))))?;
    if text.len() as u64 > MAX_INTAKE_BYTES {
        return Err(Failure::Input(format!(
            "the intake in {what} is larger than {} KiB; an intake is a short JSON object",
            MAX_INTAKE_BYTES / 1024
        )));
    }
    Intake::from_json(&text).map_err(|e| Failure::Input(e.to_string()))
}

pub fn pack(dir: Option<&Path>) -> Result<ContentPack, Failure> {
    let Some(dir) = dir else {
        return ContentPack::builtin().map_err(|e| Failure::Pack(miette::Report::new(e)));
    };
    let mut files = Vec::with_capacity(PACK_FILES.len());
    for name in PACK_FILES {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Failure::Input(format!("cannot read the content pack file {}: {}", path.display(), plain_io(&e)))
        })?;
        files.push((name.to_owned(), text));
    }
    // Every SVG in figures/ goes to the loader, which refuses one that no
    // step shows or that is not a drawing.
    let figures = dir.join(FIGURES_DIR);
    if let Ok(entries) = std::fs::read_dir(&figures) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".svg") {
                let path = entry.path();
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    Failure::Input(format!("cannot read the figure {}: {}", path.display(), plain_io(&e)))
                })?;
                files.push((format!("{FIGURES_DIR}/{name}"), text));
            }
        }
    }
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    ContentPack::load(&borrowed).map_err(|e| Failure::Pack(miette::Report::new(e)))
}

/// An IO error without the "(os error 2)" noise.
fn plain_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::InvalidData => "it is not UTF-8 text".to_owned(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_owned(),
        _ => e.to_string(),
    }
}
