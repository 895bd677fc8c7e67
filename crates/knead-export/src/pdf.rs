//! The pages the printed documents (the report, the handout) are laid out
//! on, and how they are drawn as PDF.
//!
//! Laid out in two passes: first into pages of simple drawing operations
//! ([`Layout`]), then drawn ([`render`]), so that each page's footer can
//! say "page 1 of 2". Text is in the bundled Liberation Sans, embedded as a
//! subset, so the PDF shows the same on any machine; figures are the
//! pack's SVG, drawn as vector paths by `krilla-svg` (sharp at any size,
//! and no SVG renderer of our own to keep in step with what the pack's
//! check allows). Everything is black or grey on white: it must read
//! printed in black and white.

use crate::ExportError;
use ab_glyph::Font as _;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::tagging::{ArtifactType, ContentTag, SpanTag, Tag, TagGroup, TagKind, TagTree};
use krilla::text::{Font, TextDirection};
use krilla::{Document, metadata::Metadata};
use krilla_svg::{SurfaceExt, SvgSettings};

/// A4 in PDF points.
pub(crate) const PAGE: (f32, f32) = (595.3, 841.9);
/// Left and right margin.
pub(crate) const MARGIN: f32 = 50.0;
/// Where text stops on a page, above the footer.
pub(crate) const BOTTOM: f32 = PAGE.1 - 60.0;
/// Body text size.
pub(crate) const BODY: f32 = 9.5;
/// Small print.
pub(crate) const SMALL: f32 = 8.0;

/// One drawing operation, in points from the page's top left.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// Text from its baseline's left end.
    Text { x: f32, y: f32, size: f32, text: String, bold: bool, grey: u8 },
    /// A line through points.
    Line { points: Vec<(f32, f32)>, width: f32, grey: u8, dash: Option<Vec<f32>> },
    /// A closed shape: filled with `fill`, outlined with `grey`.
    Shape { points: Vec<(f32, f32)>, fill: u8, grey: u8 },
    /// A figure of [`Layout::figure`], by its number there, in a box from
    /// its top left.
    Figure { x: f32, y: f32, width: f32, height: f32, figure: usize },
}

/// Pages of operations, and where the next line goes.
pub(crate) struct Layout {
    pub(crate) pages: Vec<Vec<Op>>,
    pub(crate) y: f32,
    font: ab_glyph::FontRef<'static>,
    /// The figures drawn, each with the words that stand for it.
    figures: Vec<(usvg::Tree, String)>,
}

impl Layout {
    pub(crate) fn new() -> Result<Self, ExportError> {
        let font = ab_glyph::FontRef::try_from_slice(crate::chart::FONT)
            .map_err(|e| ExportError::Pdf(format!("the bundled font could not be read: {e}")))?;
        Ok(Layout { pages: vec![Vec::new()], y: MARGIN, font, figures: Vec::new() })
    }

    /// Take an SVG figure (`file` names it in errors; `alt` stands for it)
    /// to draw with [`Op::Figure`]: its number.
    pub(crate) fn figure(&mut self, file: &str, svg: &str, alt: &str) -> Result<usize, ExportError> {
        let tree = usvg::Tree::from_str(svg, &usvg::Options::default())
            .map_err(|e| ExportError::Pdf(format!("figure `{file}` could not be read as SVG: {e}")))?;
        self.figures.push((tree, alt.to_owned()));
        Ok(self.figures.len() - 1)
    }

    /// The width of `text` at `size`, in points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units = self.font.units_per_em().unwrap_or(1000.0);
        let mut total = 0.0;
        let mut last = None;
        for c in text.chars() {
            let glyph = self.font.glyph_id(c);
            if let Some(previous) = last {
                total += self.font.kern_unscaled(previous, glyph);
            }
            total += self.font.h_advance_unscaled(glyph);
            last = Some(glyph);
        }
        total / units * size
    }

    /// Room for `height` more points on this page, or a new page.
    pub(crate) fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    pub(crate) fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    pub(crate) fn gap(&mut self, points: f32) {
        self.y += points;
    }

    /// One line of text.
    pub(crate) fn text(&mut self, text: &str, size: f32, bold: bool) {
        let height = size * 1.35;
        self.room(height);
        self.y += height;
        self.push(Op::Text { x: MARGIN, y: self.y - size * 0.3, size, text: text.to_owned(), bold, grey: 0 });
    }

    /// A paragraph in bold.
    pub(crate) fn bold(&mut self, text: &str) {
        self.lines(text, BODY + 0.5, MARGIN, true);
    }

    pub(crate) fn heading(&mut self, text: &str) {
        self.room(60.0);
        self.gap(8.0);
        self.text(text, 12.0, true);
        let y = self.y + 1.0;
        self.push(Op::Line {
            points: vec![(MARGIN, y), (PAGE.0 - MARGIN, y)],
            width: 0.6,
            grey: 0,
            dash: None,
        });
        self.gap(4.0);
    }

    /// A paragraph, wrapped to the text width, from `x`.
    pub(crate) fn wrapped_at(&mut self, text: &str, size: f32, x: f32) {
        self.lines(text, size, x, false);
    }

    /// A paragraph, wrapped to the text width, from `x`, in bold or not.
    pub(crate) fn lines(&mut self, text: &str, size: f32, x: f32, bold: bool) {
        let grey = if size < BODY { 0x44 } else { 0 };
        let width = PAGE.0 - MARGIN - x;
        let mut line = String::new();
        let mut lines = Vec::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if !line.is_empty() && self.width(&candidate, size) > width {
                lines.push(std::mem::replace(&mut line, word.to_owned()));
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        for line in lines {
            let height = size * 1.4;
            self.room(height);
            self.y += height;
            self.push(Op::Text { x, y: self.y - size * 0.3, size, text: line, bold, grey });
        }
    }

    pub(crate) fn wrapped(&mut self, text: &str, size: f32) {
        self.wrapped_at(text, size, MARGIN);
    }

    pub(crate) fn bullet(&mut self, text: &str) {
        let height = BODY * 1.4;
        self.room(height);
        let y = self.y + height - BODY * 0.3;
        self.push(Op::Text {
            x: MARGIN + 4.0,
            y,
            size: BODY,
            text: "\u{2022}".to_owned(),
            bold: false,
            grey: 0,
        });
        self.wrapped_at(text, BODY, MARGIN + 14.0);
    }
}

/// Draw the pages as a PDF titled `title`, with `footer(page, pages)` at
/// the foot of each (pages counted from 1).
///
/// It is tagged for screen readers: each line of text is a paragraph,
/// each figure a Figure with its words as alternative text, and rules,
/// shapes and the footer are marked as artifacts, not content.
pub(crate) fn render(
    layout: Layout,
    title: String,
    footer: impl Fn(usize, usize) -> String,
) -> Result<Vec<u8>, ExportError> {
    let font = Font::new(crate::chart::FONT.to_vec().into(), 0)
        .ok_or_else(|| ExportError::Pdf("the bundled font could not be read".to_owned()))?;
    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(title).language("en".to_owned()).creator("Knead".to_owned()));
    let settings = PageSettings::from_wh(PAGE.0, PAGE.1)
        .ok_or_else(|| ExportError::Pdf("the page size is not valid".to_owned()))?;
    let mut tags = TagTree::new();
    let count = layout.pages.len();
    for (number, ops) in layout.pages.into_iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        let foot = Op::Text {
            x: MARGIN,
            y: PAGE.1 - 30.0,
            size: SMALL,
            text: footer(number + 1, count),
            bold: false,
            grey: 0x44,
        };
        surface.start_tagged(ContentTag::Artifact(ArtifactType::Footer));
        draw(&mut surface, &font, &layout.figures, foot);
        surface.end_tagged();
        for op in ops {
            let (content, tag): (ContentTag<'_>, Option<TagKind>) = match &op {
                Op::Text { .. } => (ContentTag::Span(SpanTag::empty()), Some(Tag::P.into())),
                Op::Figure { figure, .. } => (
                    ContentTag::Other,
                    Some(Tag::Figure(layout.figures.get(*figure).map(|(_, alt)| alt.clone())).into()),
                ),
                Op::Line { .. } | Op::Shape { .. } => (ContentTag::Artifact(ArtifactType::Other), None),
            };
            let id = surface.start_tagged(content);
            draw(&mut surface, &font, &layout.figures, op);
            surface.end_tagged();
            if let Some(tag) = tag {
                tags.push(TagGroup::with_children(tag, vec![id.into()]));
            }
        }
        surface.finish();
        page.finish();
    }
    document.set_tag_tree(tags);
    document.finish().map_err(|e| ExportError::Pdf(format!("writing the PDF: {e:?}")))
}

/// Draw one operation.
fn draw(surface: &mut Surface<'_>, font: &Font, figures: &[(usvg::Tree, String)], op: Op) {
    match op {
        Op::Text { x, y, size, text, bold, grey } => {
            surface.set_fill(Some(fill(grey)));
            surface.set_stroke(bold.then(|| Stroke { width: size * 0.035, ..stroke(grey) }));
            surface.draw_text(Point::from_xy(x, y), font.clone(), size, &text, false, TextDirection::Auto);
            surface.set_stroke(None);
        }
        Op::Line { points, width, grey, dash } => {
            if let Some(path) = path(&points, false) {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    width,
                    dash: dash.map(|array| StrokeDash { array, offset: 0.0 }),
                    ..stroke(grey)
                }));
                surface.draw_path(&path);
            }
        }
        Op::Shape { points, fill: inside, grey } => {
            if let Some(path) = path(&points, true) {
                surface.set_fill(Some(fill(inside)));
                surface.set_stroke(Some(Stroke { width: 0.8, ..stroke(grey) }));
                surface.draw_path(&path);
            }
        }
        Op::Figure { x, y, width, height, figure } => {
            if let (Some((tree, _)), Some(size)) = (figures.get(figure), Size::from_wh(width, height)) {
                surface.push_transform(&Transform::from_translate(x, y));
                surface.draw_svg(tree, size, SvgSettings::default());
                surface.pop();
            }
        }
    }
}

fn fill(grey: u8) -> Fill {
    Fill { paint: luma::Color::new(grey).into(), ..Fill::default() }
}

fn stroke(grey: u8) -> Stroke {
    Stroke { paint: luma::Color::new(grey).into(), line_cap: LineCap::Round, ..Stroke::default() }
}

fn path(points: &[(f32, f32)], closed: bool) -> Option<krilla::geom::Path> {
    let mut builder = PathBuilder::new();
    let (first, rest) = points.split_first()?;
    builder.move_to(first.0, first.1);
    for p in rest {
        builder.line_to(p.0, p.1);
    }
    if closed {
        builder.close();
    }
    builder.finish()
}
