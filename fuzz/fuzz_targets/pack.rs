//! One pack file replaced by any text: the loader either accepts it or
//! refuses it with an error inside the file, and never panics.

#![no_main]

use knead_core::pack::{ContentPack, builtin_sources};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let mut files = builtin_sources();
    let index = usize::from(which) % files.len();
    files[index].1 = text;
    if let Err(e) = ContentPack::load(&files) {
        assert!(!e.message.is_empty());
        assert!(e.line >= 1 && e.line <= text.lines().count().max(1) + 1 || e.file != files[index].0);
    }
});
