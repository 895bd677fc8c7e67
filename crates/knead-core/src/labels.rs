//! Words in plain language that are not answers to the screening questions:
//! where the pain is during a session, and how it has changed since.
//!
//! The answers' labels are in the content pack (`questionnaire.toml`), with
//! the questions, so every interface shows them in the same words.

use crate::vocab::Region;

/// A plain-language label for a word.
pub trait Label {
    /// The label.
    fn label(self) -> &'static str;
}

impl Label for Region {
    fn label(self) -> &'static str {
        match self {
            Region::Left => "Left of the spine",
            Region::Right => "Right of the spine",
            Region::Centre => "In the middle",
            Region::BothSides => "Both sides",
        }
    }
}

/// The global rating of change (-3 to +3) in words.
pub fn change(value: i8) -> &'static str {
    match value {
        ..=-3 => "very much worse",
        -2 => "much worse",
        -1 => "a little worse",
        0 => "no change",
        1 => "a little better",
        2 => "much better",
        3.. => "very much better",
    }
}
