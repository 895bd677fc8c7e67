//! A JSON document written a piece at a time, byte for byte as
//! `serde_json::to_string_pretty` writes it whole.
//!
//! A journal of ten years is tens of thousands of sessions: held whole as
//! records, then as a `serde_json::Value`, then as text, one export took
//! hundreds of MiB. Everything in an export but its one long array (the
//! sessions of a journal, the pain Observations of a FHIR Bundle) is
//! small, so it is made whole with a placeholder element where the long
//! part goes ([`Spliced::PLACE`]); the caller then writes the elements as
//! it reads them, a page at a time, and the rest. The text is the same as
//! the whole document's, so what a receiver reads (and `knead import`
//! takes back) does not change.

use serde::Serialize;

/// A pretty-printed JSON document with a gap, in one of its arrays, where
/// elements are written one by one (see the module's documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spliced {
    /// The text before the placeholder.
    head: String,
    /// The text after it.
    tail: String,
    /// What goes before each element after the first.
    separator: String,
    /// Elements written so far.
    written: u64,
}

impl Spliced {
    /// The placeholder: one string element of an array in the document
    /// given to [`Spliced::new`].
    pub const PLACE: &'static str = "@@knead: the elements written one by one go here@@";

    /// The frame of `text`, a document as `serde_json::to_string_pretty`
    /// writes it that holds [`Spliced::PLACE`] once as an element of an
    /// array; `None` if it does not.
    pub fn new(text: &str) -> Option<Spliced> {
        let quoted = format!("\"{}\"", Spliced::PLACE);
        let at = text.find(&quoted)?;
        let (head, tail) = (&text[..at], &text[at + quoted.len()..]);
        let line = head.rfind('\n')?;
        let indent = &head[line + 1..];
        let before = head[..line].trim_end();
        if !indent.bytes().all(|b| b == b' ') || !before.ends_with(['[', ',']) {
            return None;
        }
        let separator = format!(",\n{indent}");
        Some(Spliced { head: head.to_owned(), tail: tail.to_owned(), separator, written: 0 })
    }

    /// The text that goes out next for `element`: the document's head
    /// before the first one, a separator before each one after it.
    pub fn element(&mut self, element: &impl Serialize) -> String {
        // A record serialises without error (string keys, no failing
        // `Serialize`); were one not to, `null` keeps the document whole.
        let text = serde_json::to_string_pretty(element).unwrap_or_else(|_| "null".to_owned());
        let indent = &self.separator[1..];
        let text = text.replace('\n', indent);
        let out = match self.written {
            0 => format!("{}{text}", self.head),
            _ => format!("{}{text}", self.separator),
        };
        self.written += 1;
        out
    }

    /// The rest of the document, after the last element: all of it when
    /// none was written (without the placeholder).
    pub fn finish(self) -> String {
        if self.written > 0 {
            return self.tail;
        }
        let indent = &self.separator[1..];
        if let Some(head) = self.head.strip_suffix(self.separator.as_str()) {
            // Elements before the gap: the one before it ends the run.
            format!("{head}{}", self.tail)
        } else if let Some(tail) = self.tail.strip_prefix(self.separator.as_str()) {
            // The gap was first: the next element starts the run.
            format!("{}{tail}", self.head)
        } else {
            // The gap was all of the array: an empty array, as `[]`.
            let head = self.head.strip_suffix(indent).unwrap_or(&self.head);
            let tail = self.tail.trim_start_matches(['\n', ' ']);
            format!("{head}{tail}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Spliced;
    use serde_json::{Value, json};

    /// Write `elements` into the gap of `frame`, in pieces.
    fn written(frame: &Value, elements: &[Value]) -> String {
        let mut spliced = Spliced::new(&serde_json::to_string_pretty(frame).unwrap()).unwrap();
        let mut out: String = elements.iter().map(|e| spliced.element(e)).collect();
        out.push_str(&spliced.finish());
        out
    }

    /// `frame` with its placeholder replaced by `elements`, whole.
    fn whole(frame: &Value, elements: &[Value]) -> String {
        let text = serde_json::to_string(frame).unwrap();
        let inserted = elements.iter().map(|e| serde_json::to_string(e).unwrap()).collect::<Vec<_>>();
        let place = format!("\"{}\"", Spliced::PLACE);
        let text = match inserted.is_empty() {
            true => {
                text.replace(&format!("{place},"), "").replace(&format!(",{place}"), "").replace(&place, "")
            }
            false => text.replace(&place, &inserted.join(",")),
        };
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&text).unwrap()).unwrap()
    }

    #[test]
    fn the_pieces_are_the_whole_document_wherever_the_gap_is() {
        let p = Spliced::PLACE;
        let frames = [
            json!({ "format": "knead-journal", "sessions": [p], "checkins": [{ "a": 1 }] }),
            json!({ "entry": [{ "q": [1, 2] }, p] }),
            json!({ "entry": [p, { "m": "text,\nwith \"quotes\"" }], "type": "collection" }),
            json!({ "entry": [{ "q": 1 }, p, { "m": 2 }] }),
            json!([p]),
        ];
        let elements = [json!({ "id": 1, "steps": [{ "x": [] }], "note": "a\nb" }), json!("two"), json!(3)];
        for frame in &frames {
            for n in 0..=elements.len() {
                assert_eq!(written(frame, &elements[..n]), whole(frame, &elements[..n]), "{frame} with {n}");
            }
        }
    }

    #[test]
    fn a_document_without_the_placeholder_has_no_gap() {
        let pretty = |v: Value| serde_json::to_string_pretty(&v).unwrap();
        assert_eq!(Spliced::new(&pretty(json!({ "sessions": [] }))), None);
        assert_eq!(Spliced::new(&pretty(json!({ "note": Spliced::PLACE }))), None, "not in an array");
    }
}
