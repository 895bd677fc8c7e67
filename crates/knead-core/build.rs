//! Builds the list of the built-in pack's figures (`content/midback/figures/*.svg`)
//! into the binary, so adding a figure is adding a file: no Rust to edit.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("../../content/midback/figures");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".svg"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(out, "    (\"figures/{name}\", include_str!({:?})),", path.display().to_string())
            .expect("writing to a String");
    }
    out.push(']');
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("figures.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}
