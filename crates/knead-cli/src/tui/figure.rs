//! The step's figure on the terminal, where the terminal shows images.
//!
//! At the start the terminal is asked (once, by ratatui-image) which image
//! protocol it speaks. Kitty, sixel and iTerm2 get the pack's SVG drawn
//! dark on a light card, so the lines read on any colour scheme. A
//! terminal with none of them gets no picture: the figure's words (its alt
//! text) stand in, as they do for a screen reader on the web. Half-block
//! art was left out on purpose: at a cell per two pixels a line drawing
//! turns into smudges that say less than its words.

use knead_core::pack::{ContentPack, Figure};
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::StatefulProtocol;
use std::collections::HashMap;

/// How wide a figure is drawn before it is fitted to its cells: enough for
/// a third of a wide terminal at common font sizes.
const DRAWN_WIDTH: u32 = 480;

/// The figures of one session, encoded once each for the terminal.
pub struct Figures<'p> {
    pack: &'p ContentPack,
    picker: Picker,
    encoded: HashMap<String, Option<StatefulProtocol>>,
}

impl<'p> Figures<'p> {
    /// Ask the terminal (after the full screen is on, before keys are read)
    /// whether it shows images; `None` where it shows only text.
    pub fn ask_terminal(pack: &'p ContentPack) -> Option<Figures<'p>> {
        let picker = Picker::from_query_stdio().ok()?;
        Figures::with(pack, picker)
    }

    /// Figures drawn with `picker`: `None` if its protocol is text only.
    pub fn with(pack: &'p ContentPack, picker: Picker) -> Option<Figures<'p>> {
        (picker.protocol_type() != ProtocolType::Halfblocks).then(|| Figures {
            pack,
            picker,
            encoded: HashMap::new(),
        })
    }

    /// The figure ready to draw, encoded on first use. `None` if the pack
    /// has no such figure or it cannot be drawn: the words stand in.
    pub fn get(&mut self, figure: &Figure) -> Option<&mut StatefulProtocol> {
        let (pack, picker) = (self.pack, &self.picker);
        self.encoded
            .entry(figure.file.clone())
            .or_insert_with(|| {
                let drawn = draw(pack.figure(&figure.file)?, DRAWN_WIDTH)?;
                Some(picker.new_resize_protocol(image::DynamicImage::ImageRgba8(drawn)))
            })
            .as_mut()
    }
}

/// A figure's SVG as pixels, `width` wide, dark lines on a light card.
/// `None` if the text is not SVG that resvg can draw (the pack's check at
/// load makes that unlikely, and the words stand in).
pub fn draw(svg: &str, width: u32) -> Option<image::RgbaImage> {
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).ok()?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    // At least one pixel; a figure is small (its check at load), so the
    // height is well inside u32.
    let height = (size.height() * scale).round().max(1.0) as u32;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height)?;
    pixmap.fill(resvg::tiny_skia::Color::from_rgba8(250, 248, 244, 255));
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    image::RgbaImage::from_raw(width, height, pixmap.take())
}

#[cfg(test)]
mod tests {
    use super::draw;
    use knead_core::pack::ContentPack;

    /// Every figure of the built-in pack draws: lines on the card, in
    /// proportion, neither blank nor a blot. The drawings are kept in
    /// `target/terminal-figures/` to be looked at.
    #[test]
    fn every_figure_of_the_pack_draws() {
        let pack = ContentPack::builtin().expect("pack");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/terminal-figures");
        std::fs::create_dir_all(&dir).expect("a directory for the drawings");
        let mut seen = 0;
        for technique in &pack.techniques {
            for variant in &technique.variants {
                for step in &variant.steps {
                    let svg = pack.figure(&step.figure.file).expect("figure text");
                    let image =
                        draw(svg, 240).unwrap_or_else(|| panic!("{} does not draw", step.figure.file));
                    assert!(image.height() > 100 && image.height() < 400, "{}", step.figure.file);
                    let ink = image.pixels().filter(|p| p.0[0] < 128).count();
                    let share = ink * 1000 / (image.width() * image.height()) as usize;
                    assert!((5..400).contains(&share), "{}: {share}‰ of it is ink", step.figure.file);
                    let name = step.figure.file.trim_start_matches("figures/").replace(".svg", ".png");
                    image.save(dir.join(name)).expect("the drawing saved");
                    seen += 1;
                }
            }
        }
        assert!(seen > 10, "only {seen} steps");
    }

    #[test]
    fn text_that_is_not_svg_does_not_draw() {
        assert!(draw("<html/>", 100).is_none());
        assert!(draw("", 100).is_none());
    }
}
