use crate::fixture;
use knead_export::csv;

#[test]
fn sessions_snapshot() {
    insta::assert_snapshot!(csv::sessions(&fixture::summaries()));
}

#[test]
fn a_note_with_a_comma_a_quote_and_a_line_break_reads_back_as_one_field() {
    let text = csv::sessions(&fixture::summaries());
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), csv::HEADER);
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.len() == csv::HEADER.len()));
    assert_eq!(&rows[0][11], fixture::AWKWARD_NOTE);
}

#[test]
fn columns_hold_change_minutes_and_empty_fields() {
    let text = csv::sessions(&fixture::summaries());
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // 6 -> 4: change -2; 300 s of hands, 420 s of foam roller.
    assert_eq!(&rows[0][6], "-2");
    assert_eq!((&rows[0][8], &rows[0][9], &rows[0][10]), ("5.0", "7.0", "0.0"));
    assert_eq!(&rows[0][1], "2026-01-05T07:30:00Z");
    // 5 -> 6: worse is positive; 90 s of the electric massager.
    assert_eq!((&rows[1][3], &rows[1][6], &rows[1][10]), ("stopped", "1", "1.5"));
    // In progress: no end, no after, no change.
    assert_eq!((&rows[3][2], &rows[3][5], &rows[3][6]), ("", "", ""));
}

#[test]
fn no_sessions_is_just_the_header() {
    assert_eq!(csv::sessions(&[]), format!("{}\n", csv::HEADER.join(",")));
}
