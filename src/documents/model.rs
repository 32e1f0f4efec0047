//! The typed document model that the markup parses into and the PDF engine
//! lays out. Small on purpose: it holds what a PKS, a Juknis or a statement
//! letter needs and nothing a template could use to draw something else.

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Paper {
    A4,
    /// Folio, 215 × 330 mm, still the paper of many Indonesian offices.
    F4,
}

impl Paper {
    pub fn parse(s: &str) -> Option<Paper> {
        match s.to_ascii_lowercase().as_str() {
            "a4" => Some(Paper::A4),
            "f4" => Some(Paper::F4),
            _ => None,
        }
    }

    /// Width and height in millimetres.
    pub fn size_mm(self) -> (f32, f32) {
        match self {
            Paper::A4 => (210.0, 297.0),
            Paper::F4 => (215.0, 330.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
    Justify,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Style {
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String, Style),
    Break,
}

/// How the items of a list are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// `1.`
    Decimal,
    /// `a.`
    Alpha,
    /// `1)`
    DecimalParen,
    /// `(1)`, the ayat of a Pasal
    DecimalParens,
    /// `a)`
    AlphaParen,
    /// `A.`
    UpperAlpha,
    /// `I.`
    Roman,
    /// `-`
    Dash,
}

impl Marker {
    pub fn parse(s: &str) -> Option<Marker> {
        Some(match s {
            "1." => Marker::Decimal,
            "a." => Marker::Alpha,
            "1)" => Marker::DecimalParen,
            "(1)" => Marker::DecimalParens,
            "a)" => Marker::AlphaParen,
            "A." => Marker::UpperAlpha,
            "I." => Marker::Roman,
            "-" => Marker::Dash,
            _ => return None,
        })
    }

    /// The label of the `n`th item (1-based).
    pub fn label(self, n: u32) -> String {
        fn letters(n: u32, base: u8) -> String {
            // a..z, then aa, ab… as word processors do.
            let mut n = n;
            let mut out = vec![];
            while n > 0 {
                n -= 1;
                out.push((base + (n % 26) as u8) as char);
                n /= 26;
            }
            out.iter().rev().collect()
        }
        match self {
            Marker::Decimal => format!("{n}."),
            Marker::Alpha => format!("{}.", letters(n, b'a')),
            Marker::DecimalParen => format!("{n})"),
            Marker::DecimalParens => format!("({n})"),
            Marker::AlphaParen => format!("{})", letters(n, b'a')),
            Marker::UpperAlpha => format!("{}.", letters(n, b'A')),
            Marker::Roman => format!("{}.", crate::domain::words::roman(n)),
            Marker::Dash => "-".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub blocks: Vec<Block>,
    pub header: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading {
        level: u8,
        align: Align,
        content: Vec<Inline>,
    },
    Paragraph {
        align: Align,
        content: Vec<Inline>,
        /// Extra space before, in millimetres.
        space_before: f32,
    },
    List {
        marker: Marker,
        start: u32,
        items: Vec<Vec<Block>>,
    },
    Table {
        /// Relative column widths.
        widths: Vec<f32>,
        header: Vec<Vec<Cell>>,
        rows: Vec<Vec<Cell>>,
        border: bool,
    },
    /// Signature blocks side by side, one column each.
    Signatures(Vec<Vec<Block>>),
    /// Vertical space in millimetres (room for a signature and stamp).
    Gap(f32),
    PageBreak,
    /// Blocks that must not be split across pages.
    Keep(Vec<Block>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    pub paper: Paper,
    /// Labels of the initial ("Paraf") boxes drawn at the foot of every page.
    pub paraf: Vec<String>,
    pub blocks: Vec<Block>,
}

impl Document {
    /// The text of the document in reading order, one block per line; what a
    /// search index or a quick comparison wants.
    pub fn plain_text(&self) -> String {
        fn inline(out: &mut String, content: &[Inline]) {
            for i in content {
                match i {
                    Inline::Text(t, _) => out.push_str(t),
                    Inline::Break => out.push('\n'),
                }
            }
            out.push('\n');
        }
        fn blocks(out: &mut String, bs: &[Block]) {
            for b in bs {
                match b {
                    Block::Heading { content, .. } | Block::Paragraph { content, .. } => {
                        inline(out, content)
                    }
                    Block::List {
                        marker,
                        start,
                        items,
                    } => {
                        for (n, item) in items.iter().enumerate() {
                            out.push_str(&marker.label(start + n as u32));
                            out.push(' ');
                            blocks(out, item);
                        }
                    }
                    Block::Table { header, rows, .. } => {
                        for row in header.iter().chain(rows) {
                            for cell in row {
                                blocks(out, &cell.blocks);
                            }
                        }
                    }
                    Block::Signatures(cols) => cols.iter().for_each(|c| blocks(out, c)),
                    Block::Keep(inner) => blocks(out, inner),
                    Block::Gap(_) | Block::PageBreak => {}
                }
            }
        }
        let mut out = String::new();
        blocks(&mut out, &self.blocks);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_number_like_legal_documents() {
        assert_eq!(Marker::Decimal.label(3), "3.");
        assert_eq!(Marker::Alpha.label(1), "a.");
        assert_eq!(Marker::Alpha.label(27), "aa.");
        assert_eq!(Marker::DecimalParens.label(2), "(2)");
        assert_eq!(Marker::DecimalParen.label(4), "4)");
        assert_eq!(Marker::Roman.label(4), "IV.");
        assert_eq!(Marker::Roman.label(9), "IX.");
        assert_eq!(Marker::UpperAlpha.label(10), "J.");
    }
}
