//! The embedded font family (Liberation Sans, metric-compatible with the
//! Arial that offices type their PKS in) and its metrics for line breaking.

use std::sync::OnceLock;

use printpdf::ParsedFont;

use super::model::Style;

const FACES: [&[u8]; 4] = [
    include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../../assets/fonts/LiberationSans-Italic.ttf"),
    include_bytes!("../../assets/fonts/LiberationSans-BoldItalic.ttf"),
];

pub struct Face {
    pub parsed: ParsedFont,
    units_per_em: f32,
    /// Advance widths in em for U+0000..U+024F (Latin), the text of nearly every document.
    latin: Vec<f32>,
    pub ascent: f32,
    pub descent: f32,
}

impl Face {
    fn load(bytes: &[u8]) -> Face {
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
            .expect("the embedded fonts are valid TrueType");
        let units_per_em = parsed.units_per_em as f32;
        let mut face = Face {
            ascent: parsed.font_metrics.ascent as f32 / units_per_em,
            descent: -(parsed.font_metrics.descent as f32) / units_per_em,
            units_per_em,
            latin: vec![],
            parsed,
        };
        face.latin = (0u32..0x250).map(|cp| face.lookup(cp)).collect();
        face
    }

    fn lookup(&self, cp: u32) -> f32 {
        let glyph = self
            .parsed
            .lookup_glyph_index(cp)
            .or_else(|| self.parsed.lookup_glyph_index('?' as u32))
            .unwrap_or(0);
        self.parsed.get_glyph_width(glyph).unwrap_or(0) as f32 / self.units_per_em
    }

    /// Width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let em: f32 = text
            .chars()
            .map(|c| match self.latin.get(c as usize) {
                Some(w) => *w,
                None => self.lookup(c as u32),
            })
            .sum();
        em * size
    }
}

pub fn faces() -> &'static [Face; 4] {
    static FACES_LOADED: OnceLock<[Face; 4]> = OnceLock::new();
    FACES_LOADED.get_or_init(|| FACES.map(Face::load))
}

pub fn face_index(style: Style) -> usize {
    match (style.bold, style.italic) {
        (false, false) => 0,
        (true, false) => 1,
        (false, true) => 2,
        (true, true) => 3,
    }
}

pub fn face(style: Style) -> &'static Face {
    &faces()[face_index(style)]
}
