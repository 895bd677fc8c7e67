//! The chart: it draws for no, one and many sessions, its text comes from the
//! bundled font, and the PNGs can be written for a person to look at:
//! `KNEAD_CHART_DIR=/tmp cargo test -p knead-export chart` writes
//! `knead-progress.png` and `.svg` (60 days), `knead-progress-one.png` and
//! `knead-progress-empty.png` there.

use crate::fixture::{at, pain};
use chrono::TimeDelta;
use knead_export::ExportError;
use knead_export::chart::{self, ChartOptions, ProgressPoint};

/// About two months of mostly daily sessions, easing from about 7 to about
/// 3, with noise, skipped days, a few evening sessions and some missing
/// "after" scores. Deterministic (a fixed linear congruential sequence).
pub fn sixty_days() -> Vec<ProgressPoint> {
    let start = at("2026-02-02T07:30:00Z");
    let mut seed: u32 = 20_260_202;
    let mut points = Vec::new();
    for day in 0..60 {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let r = (seed >> 16) % 100;
        if r < 15 {
            continue;
        }
        let trend = 7.0 - 3.8 * f64::from(day) / 59.0;
        let noise = f64::from(r % 3) - 1.0;
        let before = (trend + noise).round().clamp(0.0, 10.0) as i64;
        let after = if r.is_multiple_of(9) {
            None
        } else {
            Some((before - 1 - i64::from(r.is_multiple_of(2))).max(0))
        };
        let evening = if r.is_multiple_of(4) { TimeDelta::hours(11) } else { TimeDelta::zero() };
        points.push(ProgressPoint {
            at: start + TimeDelta::days(i64::from(day)) + evening,
            before: pain(before),
            after: after.map(pain),
        });
    }
    points
}

fn options() -> ChartOptions {
    ChartOptions { target: Some(4.9), ..ChartOptions::default() }
}

/// Writes the PNG to `$KNEAD_CHART_DIR`, if set, for a person to look at.
fn save(name: &str, png: &[u8]) {
    if let Some(dir) = std::env::var_os("KNEAD_CHART_DIR") {
        std::fs::write(std::path::Path::new(&dir).join(name), png).unwrap();
    }
}

fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n")
}

/// Dark pixels in a horizontal band of the image (rows `top..bottom`).
fn ink_in_rows(png: &[u8], top: u32, bottom: u32) -> usize {
    let image = image::load_from_memory_with_format(png, image::ImageFormat::Png).unwrap().to_rgb8();
    (top..bottom)
        .flat_map(|y| (0..image.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| image.get_pixel(x, y).0.iter().all(|&c| c < 100))
        .count()
}

#[test]
fn sixty_days_draws_both_series_the_target_and_the_labels() {
    let points = sixty_days();
    let svg = chart::progress_svg(&points, &options()).unwrap();
    for text in
        ["Pain before and after self-massage", "Pain before", "Pain after", "Target: 4.9", "Date (2026)"]
    {
        assert!(svg.contains(text), "no {text:?} in the SVG");
    }
    assert!(svg.contains("Pain (0 = none, 10 = worst)"));
    let png = chart::progress_png(&points, &options()).unwrap();
    assert!(is_png(&png));
    save("knead-progress.png", &png);
    if let Some(dir) = std::env::var_os("KNEAD_CHART_DIR") {
        std::fs::write(std::path::Path::new(&dir).join("knead-progress.svg"), &svg).unwrap();
    }
}

#[test]
fn the_text_is_drawn_with_the_bundled_font() {
    // plotters is built without its system-font (`ttf`) feature, so any text
    // in the bitmap comes from the font in assets/. The title band of an
    // otherwise empty chart has ink only if the title was drawn.
    let png = chart::progress_png(&[], &ChartOptions::default()).unwrap();
    assert!(ink_in_rows(&png, 20, 60) > 200, "no title drawn");
}

#[test]
fn no_sessions_says_so() {
    let svg = chart::progress_svg(&[], &options()).unwrap();
    assert!(svg.contains("No sessions yet"));
    let png = chart::progress_png(&[], &options()).unwrap();
    assert!(is_png(&png));
    save("knead-progress-empty.png", &png);
}

#[test]
fn one_session_draws() {
    let one = [ProgressPoint { at: at("2026-03-01T08:00:00Z"), before: pain(6), after: Some(pain(4)) }];
    let svg = chart::progress_svg(&one, &options()).unwrap();
    assert!(svg.contains("Pain after") && svg.contains("1 Mar"));
    let png = chart::progress_png(&one, &options()).unwrap();
    assert!(is_png(&png));
    save("knead-progress-one.png", &png);
    let before_only = [ProgressPoint { after: None, ..one[0] }];
    assert!(chart::progress_svg(&before_only, &ChartOptions::default()).is_ok());
}

#[test]
fn drawing_is_deterministic_and_order_free() {
    let points = sixty_days();
    let mut reversed = points.clone();
    reversed.reverse();
    assert_eq!(chart::progress_svg(&points, &options()), chart::progress_svg(&reversed, &options()));
}

#[test]
fn a_size_too_small_or_large_is_refused_naming_the_field() {
    let tiny = ChartOptions { width: 0, ..options() };
    let error = chart::progress_png(&sixty_days(), &tiny).unwrap_err();
    assert!(matches!(&error, ExportError::Chart(m) if m.contains("`width` is 0")), "{error}");
    let huge = ChartOptions { height: 100_000, ..options() };
    assert!(chart::progress_svg(&[], &huge).is_err());
}
