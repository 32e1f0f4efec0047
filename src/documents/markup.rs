//! Parses the document markup (the small XHTML subset that templates render
//! to, documented in `templates/documents/README.md`) into the typed model.
//! Anything outside the subset is an error that names the element and its
//! line, so a template mistake shows up at once and not as a blank in a PDF.

use super::model::{Align, Block, Cell, Document, Inline, Marker, Paper, Style};

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("markup dokumen tidak sah (baris {line}): {message}")]
pub struct MarkupError {
    pub line: u32,
    pub message: String,
}

type Node<'a, 'i> = roxmltree::Node<'a, 'i>;

fn err(node: Node, message: impl Into<String>) -> MarkupError {
    let pos = node.document().text_pos_at(node.range().start);
    MarkupError {
        line: pos.row,
        message: message.into(),
    }
}

pub fn parse(markup: &str) -> Result<Document, MarkupError> {
    let tree = roxmltree::Document::parse(markup).map_err(|e| MarkupError {
        line: e.pos().row,
        message: e.to_string(),
    })?;
    let root = tree.root_element();
    if root.tag_name().name() != "doc" {
        return Err(err(root, "elemen teratas harus <doc>"));
    }
    let paper = match root.attribute("paper") {
        None => Paper::A4,
        Some(p) => Paper::parse(p)
            .ok_or_else(|| err(root, format!("kertas '{p}' tidak dikenal (a4 atau f4)")))?,
    };
    let paraf = root
        .attribute("paraf")
        .map(|p| {
            p.split('|')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Ok(Document {
        title: root.attribute("title").unwrap_or_default().to_string(),
        paper,
        paraf,
        blocks: blocks(root, Align::Justify)?,
    })
}

fn is_inline(node: Node) -> bool {
    node.is_text()
        || matches!(
            node.tag_name().name(),
            "b" | "strong" | "i" | "em" | "u" | "br" | "span"
        )
}

/// The children of `parent` as blocks; runs of inline content become
/// paragraphs aligned as `align`.
fn blocks(parent: Node, align: Align) -> Result<Vec<Block>, MarkupError> {
    let mut out = vec![];
    let mut pending: Vec<Inline> = vec![];
    let flush = |pending: &mut Vec<Inline>, out: &mut Vec<Block>| {
        let content = normalize(std::mem::take(pending));
        if !content.is_empty() {
            out.push(Block::Paragraph {
                align,
                content,
                space_before: 0.0,
            });
        }
    };
    for child in parent.children() {
        if child.is_comment() || child.is_pi() {
            continue;
        }
        if is_inline(child) {
            inline(child, Style::default(), &mut pending)?;
            continue;
        }
        flush(&mut pending, &mut out);
        out.push(block(child)?);
    }
    flush(&mut pending, &mut out);
    Ok(out)
}

fn align_attr(node: Node, default: Align) -> Result<Align, MarkupError> {
    Ok(match node.attribute("align") {
        None => default,
        Some("left") => Align::Left,
        Some("center") => Align::Center,
        Some("right") => Align::Right,
        Some("justify") => Align::Justify,
        Some(other) => return Err(err(node, format!("align='{other}' tidak dikenal"))),
    })
}

fn mm_attr(node: Node, name: &str, default: f32) -> Result<f32, MarkupError> {
    match node.attribute(name) {
        None => Ok(default),
        Some(v) => v
            .parse::<f32>()
            .ok()
            .filter(|v| (0.0..=200.0).contains(v))
            .ok_or_else(|| err(node, format!("{name}='{v}' harus angka milimeter 0–200"))),
    }
}

fn block(node: Node) -> Result<Block, MarkupError> {
    let name = node.tag_name().name();
    Ok(match name {
        "h1" | "h2" | "h3" => Block::Heading {
            level: name[1..].parse().unwrap_or(1),
            align: align_attr(
                node,
                if name == "h3" {
                    Align::Left
                } else {
                    Align::Center
                },
            )?,
            content: inline_content(node)?,
        },
        "p" => Block::Paragraph {
            align: align_attr(node, Align::Justify)?,
            content: inline_content(node)?,
            space_before: mm_attr(node, "space", 0.0)?,
        },
        "ol" => {
            let marker = node.attribute("marker").unwrap_or("1.");
            let marker = Marker::parse(marker)
                .ok_or_else(|| err(node, format!("marker='{marker}' tidak dikenal")))?;
            let start = match node.attribute("start") {
                None => 1,
                Some(s) => s
                    .parse()
                    .map_err(|_| err(node, format!("start='{s}' bukan bilangan")))?,
            };
            let mut items = vec![];
            for li in node.children().filter(|c| c.is_element()) {
                if li.tag_name().name() != "li" {
                    return Err(err(li, "<ol> hanya boleh berisi <li>"));
                }
                items.push(blocks(li, Align::Justify)?);
            }
            Block::List {
                marker,
                start,
                items,
            }
        }
        "table" => table(node)?,
        "signatures" => {
            let mut cols = vec![];
            for signer in node.children().filter(|c| c.is_element()) {
                if signer.tag_name().name() != "signer" {
                    return Err(err(signer, "<signatures> hanya boleh berisi <signer>"));
                }
                cols.push(blocks(signer, Align::Center)?);
            }
            Block::Signatures(cols)
        }
        "gap" => Block::Gap(mm_attr(node, "mm", 5.0)?),
        "pagebreak" => Block::PageBreak,
        "keep" => Block::Keep(blocks(node, Align::Justify)?),
        other => {
            return Err(err(
                node,
                format!("elemen <{other}> tidak termasuk markup dokumen"),
            ))
        }
    })
}

fn table(node: Node) -> Result<Block, MarkupError> {
    let mut header = vec![];
    let mut rows = vec![];
    let row = |tr: Node| -> Result<Vec<Cell>, MarkupError> {
        let mut cells = vec![];
        for c in tr.children().filter(|c| c.is_element()) {
            let header = match c.tag_name().name() {
                "th" => true,
                "td" => false,
                _ => return Err(err(c, "<tr> hanya boleh berisi <th> atau <td>")),
            };
            let align = align_attr(c, if header { Align::Center } else { Align::Left })?;
            cells.push(Cell {
                blocks: blocks(c, align)?,
                header,
            });
        }
        Ok(cells)
    };
    for part in node.children().filter(|c| c.is_element()) {
        match part.tag_name().name() {
            "thead" => {
                for tr in part.children().filter(|c| c.is_element()) {
                    header.push(row(tr)?);
                }
            }
            "tbody" => {
                for tr in part.children().filter(|c| c.is_element()) {
                    rows.push(row(tr)?);
                }
            }
            "tr" => rows.push(row(part)?),
            other => return Err(err(part, format!("<{other}> tidak boleh di dalam <table>"))),
        }
    }
    let columns = header
        .iter()
        .chain(&rows)
        .map(|r| r.len())
        .max()
        .unwrap_or(0);
    if header.iter().chain(&rows).any(|r| r.len() != columns) {
        return Err(err(
            node,
            "setiap baris tabel harus punya jumlah sel yang sama",
        ));
    }
    let widths = match node.attribute("widths") {
        None => vec![1.0; columns],
        Some(w) => {
            let widths: Vec<f32> = w
                .split(',')
                .map(|x| x.trim().parse::<f32>().ok().filter(|x| *x > 0.0))
                .collect::<Option<_>>()
                .ok_or_else(|| err(node, format!("widths='{w}' harus daftar angka positif")))?;
            if widths.len() != columns {
                return Err(err(
                    node,
                    format!("widths memuat {} kolom, tabel {columns}", widths.len()),
                ));
            }
            widths
        }
    };
    Ok(Block::Table {
        widths,
        header,
        rows,
        border: node.attribute("border") != Some("0"),
    })
}

fn inline_content(node: Node) -> Result<Vec<Inline>, MarkupError> {
    let mut out = vec![];
    for child in node.children() {
        if child.is_comment() {
            continue;
        }
        if !is_inline(child) {
            return Err(err(
                child,
                format!(
                    "<{}> tidak boleh di dalam <{}>",
                    child.tag_name().name(),
                    node.tag_name().name()
                ),
            ));
        }
        inline(child, Style::default(), &mut out)?;
    }
    Ok(normalize(out))
}

fn inline(node: Node, style: Style, out: &mut Vec<Inline>) -> Result<(), MarkupError> {
    if node.is_text() {
        out.push(Inline::Text(
            node.text().unwrap_or_default().to_string(),
            style,
        ));
        return Ok(());
    }
    let style = match node.tag_name().name() {
        "b" | "strong" => Style {
            bold: true,
            ..style
        },
        "i" | "em" => Style {
            italic: true,
            ..style
        },
        "u" => Style {
            underline: true,
            ..style
        },
        "span" => style,
        "br" => {
            out.push(Inline::Break);
            return Ok(());
        }
        other => return Err(err(node, format!("<{other}> bukan elemen teks"))),
    };
    for child in node.children() {
        if child.is_element() && !is_inline(child) {
            return Err(err(
                child,
                format!("<{}> tidak boleh di dalam teks", child.tag_name().name()),
            ));
        }
        if child.is_comment() {
            continue;
        }
        inline(child, style, out)?;
    }
    Ok(())
}

/// Collapses white space as HTML does (a non-breaking space stays), drops it
/// at the start and end of a line, and merges neighbouring runs of one style.
fn normalize(content: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = vec![];
    let mut at_line_start = true;
    for item in content {
        match item {
            Inline::Break => {
                trim_end(&mut out);
                out.push(Inline::Break);
                at_line_start = true;
            }
            Inline::Text(text, style) => {
                let mut collapsed = String::with_capacity(text.len());
                let mut space = false;
                for ch in text.chars() {
                    if ch.is_whitespace() && ch != '\u{a0}' {
                        space = true;
                    } else {
                        if space && !(at_line_start && collapsed.is_empty()) {
                            collapsed.push(' ');
                        }
                        space = false;
                        collapsed.push(ch);
                    }
                }
                if space && !(at_line_start && collapsed.is_empty()) {
                    collapsed.push(' ');
                }
                // "a " followed by " b" in the next run: one space only.
                if collapsed.starts_with(' ') && ends_with_space(&out) {
                    collapsed.remove(0);
                }
                if collapsed.is_empty() {
                    continue;
                }
                at_line_start = false;
                match out.last_mut() {
                    Some(Inline::Text(prev, s)) if *s == style => prev.push_str(&collapsed),
                    _ => out.push(Inline::Text(collapsed, style)),
                }
            }
        }
    }
    trim_end(&mut out);
    out
}

fn ends_with_space(out: &[Inline]) -> bool {
    matches!(out.last(), Some(Inline::Text(t, _)) if t.ends_with(' '))
}

fn trim_end(out: &mut Vec<Inline>) {
    while let Some(Inline::Text(t, _)) = out.last_mut() {
        let trimmed = t.trim_end_matches(' ').len();
        t.truncate(trimmed);
        if t.is_empty() {
            out.pop();
        } else {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str, bold: bool) -> Inline {
        Inline::Text(
            s.into(),
            Style {
                bold,
                ..Style::default()
            },
        )
    }

    #[test]
    fn collapses_space_and_keeps_styles() {
        let doc = parse(
            "<doc title='T'>\n  <p>  Yang  <b>PIHAK\n KESATU</b> , dan <br/> lagi </p></doc>",
        )
        .unwrap();
        assert_eq!(
            doc.blocks,
            vec![Block::Paragraph {
                align: Align::Justify,
                space_before: 0.0,
                content: vec![
                    text("Yang ", false),
                    text("PIHAK KESATU", true),
                    text(" , dan", false),
                    Inline::Break,
                    text("lagi", false)
                ],
            }]
        );
    }

    #[test]
    fn nested_lists_with_lead_text() {
        let doc = parse("<doc><ol marker='(1)'><li>Lead <ol marker='a.'><li>satu</li><li>dua</li></ol></li></ol></doc>").unwrap();
        let Block::List { marker, items, .. } = &doc.blocks[0] else {
            panic!()
        };
        assert_eq!(*marker, Marker::DecimalParens);
        assert_eq!(items[0].len(), 2, "lead paragraph then the nested list");
        assert!(matches!(&items[0][1], Block::List { items, .. } if items.len() == 2));
    }

    #[test]
    fn tables_need_matching_widths_and_cells() {
        let ok = parse("<doc><table widths='1,3'><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>x</td><td><ol><li>y</li></ol></td></tr></tbody></table></doc>").unwrap();
        assert!(
            matches!(&ok.blocks[0], Block::Table { header, rows, .. } if header.len() == 1 && rows.len() == 1)
        );
        let e = parse("<doc><table widths='1'><tr><td>x</td><td>y</td></tr></table></doc>")
            .unwrap_err();
        assert!(e.message.contains("widths"), "{e}");
        let e = parse("<doc><table><tr><td>x</td></tr><tr><td>x</td><td>y</td></tr></table></doc>")
            .unwrap_err();
        assert!(e.message.contains("jumlah sel"), "{e}");
    }

    #[test]
    fn unknown_elements_are_named_with_their_line() {
        let e = parse("<doc>\n<p>x</p>\n<blink>y</blink></doc>").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("<blink>"));
        assert!(parse("<html/>").is_err());
        assert!(parse("<doc><p>unclosed</doc>").is_err());
        assert!(parse("<doc paper='letter'/>").is_err());
    }
}
