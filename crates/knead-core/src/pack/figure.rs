//! What a figure file may hold.
//!
//! A figure is shown inside pages, so it is checked as strictly as code:
//! it must parse as XML (no DTD, so no entities), be an `<svg>` with a
//! `viewBox`, and use only drawing elements. Nothing in it may run
//! (`<script>`, `on…` attributes), embed another document
//! (`<foreignObject>`) or fetch anything: a reference points inside the
//! figure (`#id`) or nowhere.

use std::ops::Range;

/// The SVG namespace; every element of a figure is in it.
const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// A figure is a small drawing; anything larger is not one.
pub(super) const MAX_BYTES: usize = 32 * 1024;

/// The elements a figure may use: shapes, groups, arrowheads and a title.
pub(super) const ELEMENTS: [&str; 15] = [
    "svg", "g", "defs", "marker", "symbol", "use", "path", "line", "polyline", "polygon", "circle",
    "ellipse", "rect", "title", "desc",
];

/// Whether `name` is a figure's file name in a pack: `figures/NAME.svg`,
/// NAME in lowercase letters, digits and hyphens.
pub(super) fn is_file_name(name: &str) -> bool {
    name.strip_prefix(super::FIGURES_DIR)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|rest| rest.strip_suffix(".svg"))
        .is_some_and(|stem| {
            !stem.is_empty()
                && stem.len() <= 64
                && stem.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// Check a figure's text; on refusal, where in it and what is allowed.
pub(super) fn check(text: &str) -> Result<(), (Range<usize>, String)> {
    if text.len() > MAX_BYTES {
        return Err((
            0..0,
            format!("the file is {} bytes; a figure is at most {} KiB", text.len(), MAX_BYTES / 1024),
        ));
    }
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        let pos = e.pos();
        let at = offset(text, pos.row, pos.col);
        (at..at, format!("not well-formed XML ({e}); a figure is an SVG file without a DTD"))
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
        return Err((
            root.range(),
            format!("the root must be an `<svg>` element in the SVG namespace (xmlns=\"{SVG_NS}\")"),
        ));
    }
    if root.attribute("viewBox").is_none() {
        return Err((root.range(), "the `<svg>` element needs a `viewBox`, so the figure scales".to_owned()));
    }
    for node in doc.descendants() {
        if node.is_pi() {
            return Err((node.range(), "processing instructions are not allowed in a figure".to_owned()));
        }
        if !node.is_element() {
            continue;
        }
        let name = node.tag_name();
        if name.namespace() != Some(SVG_NS) || !ELEMENTS.contains(&name.name()) {
            return Err((
                node.range(),
                format!(
                    "`<{}>` is not allowed in a figure; allowed elements: {}",
                    name.name(),
                    ELEMENTS.join(", ")
                ),
            ));
        }
        for attr in node.attributes() {
            let (attr_name, value) = (attr.name(), attr.value());
            if attr_name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on")) {
                return Err((
                    attr.range(),
                    format!(
                        "`{attr_name}` is an event handler; a figure runs no script, so no `on…` attribute is allowed"
                    ),
                ));
            }
            if attr_name == "href" && !value.trim_start().starts_with('#') {
                return Err((
                    attr.range(),
                    format!(
                        "`href=\"{value}\"` points outside the figure; only a reference to an id inside it (`#id`) is allowed"
                    ),
                ));
            }
            if outside_url(value) {
                return Err((
                    attr.range(),
                    format!(
                        "`{attr_name}` refers to something outside the figure; only `url(#id)` inside it is allowed"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Whether a value names a `url(…)` that is not an id inside the figure.
fn outside_url(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.match_indices("url(").any(|(i, _)| {
        let inside = lower[i + 4..].trim_start().trim_start_matches(['"', '\'']);
        !inside.starts_with('#')
    })
}

/// The byte offset of 1-based `row` and character `col` in `text`.
fn offset(text: &str, row: u32, col: u32) -> usize {
    let mut at = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == row as usize {
            let chars = line.char_indices().nth(col.saturating_sub(1) as usize);
            return at + chars.map_or(line.len(), |(b, _)| b);
        }
        at += line.len();
    }
    text.len()
}
