//! A content-pack error points at the file, the line and the field.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::ops::Range;

/// Why a content pack was refused.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file}:{line}:{column}: {field}: {message}")]
#[diagnostic(code(knead::pack))]
pub struct PackError {
    /// The pack file, e.g. `screening.toml`.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Path of the field within the file, e.g. `rules[3].when`.
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
    #[source_code]
    source_code: NamedSource<String>,
    #[label("here")]
    span: SourceSpan,
}

impl PackError {
    pub(crate) fn new(
        file: &str,
        text: &str,
        at: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let start = at.start.min(text.len());
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let len = at.end.saturating_sub(at.start).min(text.len() - start);
        Self {
            file: file.to_owned(),
            line,
            column,
            field: field.into(),
            message: message.into(),
            source_code: NamedSource::new(file, text.to_owned()),
            span: (start, len).into(),
        }
    }
}
