//! Large digits for the countdown: readable from a mat on the floor.

/// Glyphs 3 wide and 5 high for `0`-`9` and `:`.
fn glyph(c: char) -> [&'static str; 5] {
    match c {
        '0' => ["███", "█ █", "█ █", "█ █", "███"],
        '1' => [" ██", "  █", "  █", "  █", "  █"],
        '2' => ["███", "  █", "███", "█  ", "███"],
        '3' => ["███", "  █", "███", "  █", "███"],
        '4' => ["█ █", "█ █", "███", "  █", "  █"],
        '5' => ["███", "█  ", "███", "  █", "███"],
        '6' => ["███", "█  ", "███", "█ █", "███"],
        '7' => ["███", "  █", "  █", "  █", "  █"],
        '8' => ["███", "█ █", "███", "█ █", "███"],
        '9' => ["███", "█ █", "███", "  █", "███"],
        ':' => ["   ", " █ ", "   ", " █ ", "   "],
        _ => ["   ", "   ", "   ", "   ", "   "],
    }
}

/// `text` in large digits, as 5 lines.
pub fn lines(text: &str) -> [String; 5] {
    let mut out: [String; 5] = Default::default();
    for (i, c) in text.chars().enumerate() {
        for (row, part) in glyph(c).iter().enumerate() {
            if i > 0 {
                out[row].push(' ');
            }
            out[row].push_str(part);
        }
    }
    out
}

/// `m:ss` for a number of milliseconds left, rounded up to the second.
pub fn clock(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    format!("{}:{:02}", s / 60, s % 60)
}
