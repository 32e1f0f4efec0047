//! Writes laid-out pages through printpdf's low-level operations, with the
//! font family embedded (subset) so the text extracts as it reads.

use std::collections::BTreeSet;

use printpdf::{
    FontId, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, TextItem,
};

use super::fonts::faces;
use super::layout::{layout, Draw};
use super::model::Document;

pub fn render(doc: &Document) -> Vec<u8> {
    let (g, pages) = layout(doc);
    let mut pdf = PdfDocument::new(&doc.title);
    // Each face the text uses, cut down to the glyphs it uses.
    let mut used: [BTreeSet<char>; 4] = Default::default();
    for d in pages.iter().flat_map(|p| &p.draws) {
        if let Draw::Text { face, text, .. } = d {
            used[*face].extend(text.chars());
        }
    }
    let font_ids: Vec<Option<FontId>> = faces()
        .iter()
        .zip(&used)
        .map(|(f, chars)| {
            (!chars.is_empty()).then(|| {
                let font = subset(&f.parsed, chars).unwrap_or_else(|| f.parsed.clone());
                pdf.add_font(&font)
            })
        })
        .collect();
    let mm = |pt: f32| Mm(pt / super::layout::MM);
    let pdf_pages = pages
        .iter()
        .map(|page| {
            let mut ops = Vec::with_capacity(page.draws.len() * 5);
            let mut thickness = -1.0;
            for d in &page.draws {
                match d {
                    Draw::Text {
                        x,
                        baseline,
                        face,
                        size,
                        text,
                        extra,
                    } => {
                        let Some(font) = font_ids[*face].clone() else {
                            continue;
                        };
                        ops.push(Op::StartTextSection);
                        ops.push(Op::SetFont {
                            font: PdfFontHandle::External(font),
                            size: Pt(*size),
                        });
                        ops.push(Op::SetTextCursor {
                            pos: Point {
                                x: Pt(*x),
                                y: Pt(g.height - baseline),
                            },
                        });
                        ops.push(Op::ShowText {
                            items: text_items(text, *extra, *size),
                        });
                        ops.push(Op::EndTextSection);
                    }
                    Draw::Line {
                        x1,
                        y1,
                        x2,
                        y2,
                        width,
                    } => {
                        if *width != thickness {
                            ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                            thickness = *width;
                        }
                        let point = |x: f32, y: f32| LinePoint {
                            p: Point {
                                x: Pt(x),
                                y: Pt(g.height - y),
                            },
                            bezier: false,
                        };
                        ops.push(Op::DrawLine {
                            line: Line {
                                points: vec![point(*x1, *y1), point(*x2, *y2)],
                                is_closed: false,
                            },
                        });
                    }
                }
            }
            PdfPage::new(mm(g.width), mm(g.height), ops)
        })
        .collect();
    pdf.with_pages(pdf_pages)
        .save(&PdfSaveOptions::default(), &mut Vec::new())
}

/// The face with only the glyphs of `chars` (and .notdef), its Unicode
/// cmap and advance widths kept, so a PKS embeds kilobytes, not whole fonts.
fn subset(font: &ParsedFont, chars: &BTreeSet<char>) -> Option<ParsedFont> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{subset as cut, CmapTarget, SubsetProfile};
    let file = ReadScope::new(&font.original_bytes)
        .read::<FontData<'_>>()
        .ok()?;
    let provider = file.table_provider(0).ok()?;
    let mut ids: Vec<u16> = chars
        .iter()
        .filter_map(|c| font.lookup_glyph_index(*c as u32))
        .filter(|g| *g != 0)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.insert(0, 0);
    let bytes = cut(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode).ok()?;
    ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
}

/// The text as one TJ array: justification widens each space by `extra`
/// points with a negative kerning offset (thousandths of an em), which keeps
/// the real space glyph in the text so that extraction sees the words.
fn text_items(text: &str, extra: f32, size: f32) -> Vec<TextItem> {
    if extra.abs() < 0.001 || !text.contains(' ') {
        return vec![TextItem::Text(text.to_string())];
    }
    let offset = -(extra / size * 1000.0);
    let mut items = vec![];
    let mut parts = text.split_inclusive(' ').peekable();
    while let Some(part) = parts.next() {
        items.push(TextItem::Text(part.to_string()));
        if part.ends_with(' ') && parts.peek().is_some() {
            items.push(TextItem::Offset(offset));
        }
    }
    items
}
