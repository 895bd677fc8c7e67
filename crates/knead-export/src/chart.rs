//! The progress chart: pain before and after each session over time, with
//! the "meaningful improvement" target as a dotted grey line.
//!
//! It must read in black and white (printed reports, colour-blind readers),
//! so the two series differ in line and marker as well as colour: "before"
//! is a solid line with filled circles, "after" a dashed line with hollow
//! triangles. The text is drawn with Liberation Sans (SIL Open Font
//! Licence 1.1), bundled in `assets/` and registered with plotters' ab_glyph
//! renderer, so the chart needs no font on the machine that draws it. The
//! SVG names `sans-serif`, which the viewer supplies.
//!
//! Dates on the x axis are UTC days.

use crate::ExportError;
use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, Utc};
use knead_core::records::SessionPain;
use knead_core::units::PainScore;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::sync::OnceLock;

/// The bundled font (Liberation Sans Regular, SIL OFL 1.1: see `assets/`).
pub(crate) static FONT: &[u8] = include_bytes!("../assets/LiberationSans-Regular.ttf");

/// The family name the font is registered under (plotters' name for
/// [`FontFamily::SansSerif`]).
const FAMILY: &str = "sans-serif";

/// "Before": vermillion (Okabe-Ito palette, safe for colour-blind readers).
const BEFORE: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// "After": blue (Okabe-Ito).
const AFTER: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// The target line.
const TARGET: RGBColor = RGBColor(0x70, 0x70, 0x70);
/// Text and axes.
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

/// One session on the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressPoint {
    /// When the session began.
    pub at: DateTime<Utc>,
    /// Pain before it.
    pub before: PainScore,
    /// Pain after it, if given.
    pub after: Option<PainScore>,
}

impl ProgressPoint {
    /// A session's point: its pain after only when the session counts as
    /// one (`counted_min_seconds`: the pack's `session.counted_min_seconds`),
    /// so that a session with every step skipped draws no effect.
    pub fn of(s: &SessionPain, counted_min_seconds: u32) -> Self {
        ProgressPoint { at: s.started_at, before: s.pain_before, after: s.effect_after(counted_min_seconds) }
    }
}

/// How to draw the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    /// The title at the top.
    pub title: String,
    /// Width in pixels (SVG user units).
    pub width: u32,
    /// Height in pixels (SVG user units).
    pub height: u32,
    /// The pain score that would be a meaningful improvement (30 % below
    /// baseline, computed by knead-core's outcomes), drawn as a dotted grey
    /// line; `None` draws no target. Values outside 0-10 are clamped.
    pub target: Option<f64>,
    /// Text size against the 500-pixel design: 1 for a page or a report;
    /// more for a chart drawn small on a phone, where it shrinks to fit.
    pub text_scale: f64,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            title: "Pain before and after self-massage".to_owned(),
            width: 900,
            height: 500,
            target: None,
            text_scale: 1.0,
        }
    }
}

impl ChartOptions {
    /// For a phone's width (about 360 CSS pixels): squarer, with text that
    /// stays 11 pixels or more once the chart is shrunk to fit.
    pub fn phone() -> Self {
        ChartOptions {
            title: "Pain before and after".to_owned(),
            width: 480,
            height: 520,
            text_scale: 1.9,
            ..Self::default()
        }
    }
}

/// The chart as an SVG document.
///
/// # Errors
///
/// [`ExportError::Chart`] if plotters fails to draw (e.g. a size of zero).
pub fn progress_svg(points: &[ProgressPoint], options: &ChartOptions) -> Result<String, ExportError> {
    check_size(options)?;
    register_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (options.width, options.height)).into_drawing_area();
        draw(&root, points, options)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// The chart as a PNG image.
///
/// # Errors
///
/// [`ExportError::Chart`] if plotters fails to draw (e.g. a size of zero) or
/// the PNG cannot be encoded.
pub fn progress_png(points: &[ProgressPoint], options: &ChartOptions) -> Result<Vec<u8>, ExportError> {
    check_size(options)?;
    register_font()?;
    let (width, height) = (options.width, options.height);
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        draw(&root, points, options)?;
        root.present().map_err(chart_error)?;
    }
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &rgb,
        width,
        height,
        image::ColorType::Rgb8,
    )
    .map_err(|e| ExportError::Chart(format!("encoding the PNG: {e}")))?;
    Ok(png)
}

fn check_size(options: &ChartOptions) -> Result<(), ExportError> {
    // Below this the labels overlap the plot; above it the PNG buffer is huge.
    const SIZES: std::ops::RangeInclusive<u32> = 200..=4000;
    for (field, value) in [("width", options.width), ("height", options.height)] {
        if !SIZES.contains(&value) {
            return Err(ExportError::Chart(format!(
                "`{field}` is {value}; allowed: {} to {} pixels",
                SIZES.start(),
                SIZES.end()
            )));
        }
    }
    Ok(())
}

/// Registers the bundled font once per process.
fn register_font() -> Result<(), ExportError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok =
        *REGISTERED.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok { Ok(()) } else { Err(ExportError::Chart("the bundled font could not be read".to_owned())) }
}

fn chart_error<E: std::error::Error + Send + Sync>(error: DrawingAreaErrorKind<E>) -> ExportError {
    ExportError::Chart(error.to_string())
}

fn font(size: f64) -> TextStyle<'static> {
    (FontFamily::SansSerif, size).into_font().color(&INK)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: &[ProgressPoint],
    options: &ChartOptions,
) -> Result<(), ExportError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(chart_error)?;
    // Text scales with the chart's height, from a 500-pixel design.
    let scale =
        f64::from(options.height.min(options.width * 2 / 3)) / 500.0 * options.text_scale.clamp(0.5, 3.0);
    let px = |size: f64| size * scale;

    let mut sorted = points.to_vec();
    sorted.sort_by_key(|p| p.at);
    let (Some(first), Some(last)) = (sorted.first(), sorted.last()) else {
        return draw_empty(root, options, scale);
    };

    // x is in days since midnight (UTC) of the first session's day.
    let origin = first.at.date_naive().and_time(NaiveTime::MIN).and_utc();
    let day = |at: DateTime<Utc>| (at - origin).num_seconds() as f64 / 86_400.0;
    let (mut lo, mut hi) = (day(first.at).floor() - 1.0, day(last.at).ceil() + 1.0);
    if hi - lo < 8.0 {
        // A few days at most: keep at least a week wide, so ticks fall on days.
        let pad = (8.0 - (hi - lo)) / 2.0;
        lo = (lo - pad).floor();
        hi = lo + 8.0;
    }
    let years = if first.at.year() == last.at.year() {
        format!("Date ({})", first.at.year())
    } else {
        format!("Date ({}\u{2013}{})", first.at.year(), last.at.year())
    };

    // As many dates as fit side by side (about six characters each).
    let x_labels = (f64::from(options.width) / (px(15.0) * 6.0)) as usize;
    let mut chart = ChartBuilder::on(root)
        .caption(&options.title, font(px(24.0)))
        .margin(px(16.0) as i32)
        // Room for half of the last date, which is centred on the right edge.
        .margin_right(px(36.0) as i32)
        .x_label_area_size(px(56.0) as i32)
        .y_label_area_size(px(64.0) as i32)
        .build_cartesian_2d(lo..hi, -0.4f64..10.4f64)
        .map_err(chart_error)?;
    chart
        .configure_mesh()
        .x_labels(x_labels.clamp(3, 8))
        .y_labels(11)
        .x_label_formatter(&|x| date_label(origin, *x))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_desc(years)
        .y_desc("Pain (0 = none, 10 = worst)")
        .label_style(font(px(15.0)))
        .axis_desc_style(font(px(17.0)))
        .axis_style(INK)
        .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(chart_error)?;

    let line = px(2.0).max(1.0) as u32;
    let marker = px(4.5).max(2.0) as i32;

    if let Some(target) = options.target {
        let target = target.clamp(0.0, 10.0);
        let dot = px(1.6).max(1.0) as i32;
        chart
            .draw_series(DottedLineSeries::new(
                [(lo, target), (hi, target)],
                0,
                px(7.0).max(3.0) as i32,
                move |c| Circle::new(c, dot, TARGET.filled()),
            ))
            .map_err(chart_error)?
            .label(format!("Target: {target:.1} (meaningful improvement)"))
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + Circle::new((-12, 0), dot, TARGET.filled())
                    + Circle::new((-5, 0), dot, TARGET.filled())
                    + Circle::new((2, 0), dot, TARGET.filled())
                    + Circle::new((9, 0), dot, TARGET.filled())
            });
    }

    let before: Vec<(f64, f64)> = sorted.iter().map(|p| (day(p.at), f64::from(p.before.get()))).collect();
    let after: Vec<(f64, f64)> =
        sorted.iter().filter_map(|p| p.after.map(|a| (day(p.at), f64::from(a.get())))).collect();

    let before_line = BEFORE.stroke_width(line);
    chart.draw_series(LineSeries::new(before.iter().copied(), before_line)).map_err(chart_error)?;
    chart
        .draw_series(before.iter().map(|&c| Circle::new(c, marker, BEFORE.filled())))
        .map_err(chart_error)?
        .label("Pain before")
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new([(-14, 0), (10, 0)], before_line)
                + Circle::new((-2, 0), marker, BEFORE.filled())
        });

    let after_line = AFTER.stroke_width(line);
    let dash = px(8.0) as i32;
    let gap = px(5.0) as i32;
    let hollow = (marker + 2 - px(4.0).max(2.0) as i32).max(1);
    chart
        .draw_series(DashedLineSeries::new(after.iter().copied(), dash, gap, after_line))
        .map_err(chart_error)?;
    chart
        .draw_series(after.iter().map(|&c| {
            // Hollow: a white triangle inside a blue one.
            EmptyElement::at(c)
                + TriangleMarker::new((0, 0), marker + 2, AFTER.filled())
                + TriangleMarker::new((0, 0), hollow, WHITE.filled())
        }))
        .map_err(chart_error)?
        .label("Pain after")
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new([(-14, 0), (-7, 0)], after_line)
                + PathElement::new([(4, 0), (10, 0)], after_line)
                + TriangleMarker::new((-2, 0), marker + 2, AFTER.filled())
                + TriangleMarker::new((-2, 0), hollow, WHITE.filled())
        });

    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .margin(px(10.0) as i32)
        .legend_area_size(px(34.0) as i32)
        .label_font(font(px(15.0)))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(0xAA, 0xAA, 0xAA))
        .draw()
        .map_err(chart_error)?;
    Ok(())
}

/// A day's tick label ("5 Jan"), or nothing between days.
fn date_label(origin: DateTime<Utc>, x: f64) -> String {
    let days = x.round();
    if (x - days).abs() > 1e-6 {
        return String::new();
    }
    match origin.checked_add_signed(TimeDelta::days(days as i64)) {
        Some(at) => at.format("%-d %b").to_string(),
        None => String::new(),
    }
}

fn draw_empty<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    options: &ChartOptions,
    scale: f64,
) -> Result<(), ExportError>
where
    DB::ErrorType: 'static,
{
    let (width, height) =
        (i32::try_from(options.width).unwrap_or(i32::MAX), i32::try_from(options.height).unwrap_or(i32::MAX));
    let centre = |size: f64| {
        font(size * scale).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ))
    };
    root.draw(&Text::new(options.title.as_str(), (width / 2, (40.0 * scale) as i32), centre(24.0)))
        .map_err(chart_error)?;
    root.draw(&Text::new("No sessions yet", (width / 2, height / 2 - (12.0 * scale) as i32), centre(22.0)))
        .map_err(chart_error)?;
    root.draw(&Text::new(
        "Pain before and after each session will show here.",
        (width / 2, height / 2 + (20.0 * scale) as i32),
        centre(16.0).color(&RGBColor(0x66, 0x66, 0x66)),
    ))
    .map_err(chart_error)?;
    Ok(())
}
