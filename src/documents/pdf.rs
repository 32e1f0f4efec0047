//! Writes laid-out pages through printpdf's low-level operations, with the
//! font family embedded (subset) so the text extracts as it reads.

use printpdf::{
    Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    TextItem,
};

use super::fonts::faces;
use super::layout::{layout, Draw};
use super::model::Document;

pub fn render(doc: &Document) -> Vec<u8> {
    let (g, pages) = layout(doc);
    let mut pdf = PdfDocument::new(&doc.title);
    let font_ids: Vec<_> = faces().iter().map(|f| pdf.add_font(&f.parsed)).collect();
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
                        ops.push(Op::StartTextSection);
                        ops.push(Op::SetFont {
                            font: PdfFontHandle::External(font_ids[*face].clone()),
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
