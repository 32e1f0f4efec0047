//! Lays the document model out on pages: line breaking with full
//! justification, hanging list markers, tables whose rows split across pages
//! under a repeated header, headings kept with what follows, no widow or
//! orphan line, keep-together groups, signature columns, Paraf boxes and
//! "Halaman X dari Y". All lengths are in points, y grows down the page.

use super::fonts::{face, face_index};
use super::model::{Align, Block, Cell, Document, Inline, Marker, Style};

pub const MM: f32 = 72.0 / 25.4;
const SIZE: f32 = 11.0;
const LEADING: f32 = 1.35;
const PARA_AFTER: f32 = 4.0;
const CELL_PAD_X: f32 = 1.6 * MM;
const CELL_PAD_Y: f32 = 1.0 * MM;
const BORDER: f32 = 0.5;

#[derive(Debug, Clone, PartialEq)]
pub enum Draw {
    /// Text whose baseline is `baseline` below the top of its line; every
    /// space in it is widened by `extra` points (justification).
    Text {
        x: f32,
        baseline: f32,
        face: usize,
        size: f32,
        text: String,
        extra: f32,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
}

impl Draw {
    fn shifted(&self, dy: f32) -> Draw {
        let mut d = self.clone();
        match &mut d {
            Draw::Text { baseline, .. } => *baseline += dy,
            Draw::Line { y1, y2, .. } => {
                *y1 += dy;
                *y2 += dy;
            }
        }
        d
    }
}

/// One line of a paragraph, with what pagination must know about it.
#[derive(Debug, Clone)]
struct Line {
    height: f32,
    draws: Vec<Draw>,
    /// (paragraph id, index of the line, lines in the paragraph)
    para: (usize, usize, usize),
    keep_with_next: bool,
    group: Option<usize>,
}

#[derive(Debug, Clone)]
struct TableUnit {
    columns: Vec<(f32, f32)>,
    header: Vec<Vec<Vec<Line>>>,
    rows: Vec<Vec<Vec<Line>>>,
    border: bool,
    group: Option<usize>,
}

#[derive(Debug, Clone)]
enum Unit {
    Line(Line),
    Space(f32),
    /// Drawn whole on one page (signature blocks).
    Atomic {
        height: f32,
        draws: Vec<Draw>,
        group: Option<usize>,
    },
    Table(TableUnit),
    PageBreak,
}

impl Unit {
    fn group(&self) -> Option<usize> {
        match self {
            Unit::Line(l) => l.group,
            Unit::Atomic { group, .. } => *group,
            Unit::Table(t) => t.group,
            Unit::Space(_) | Unit::PageBreak => None,
        }
    }

    fn height(&self) -> f32 {
        match self {
            Unit::Line(l) => l.height,
            Unit::Space(h) => *h,
            Unit::Atomic { height, .. } => *height,
            Unit::Table(t) => t.header.iter().chain(&t.rows).map(|r| row_height(r)).sum(),
            Unit::PageBreak => 0.0,
        }
    }
}

struct Flow {
    units: Vec<Unit>,
    next_para: usize,
    next_group: usize,
    group: Option<usize>,
}

pub struct Page {
    pub draws: Vec<Draw>,
}

pub struct Geometry {
    pub width: f32,
    pub height: f32,
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
}

pub fn geometry(doc: &Document) -> Geometry {
    let (w, h) = doc.paper.size_mm();
    let paraf_room = if doc.paraf.is_empty() { 0.0 } else { 16.0 };
    Geometry {
        width: w * MM,
        height: h * MM,
        left: 25.0 * MM,
        right: 20.0 * MM,
        top: 20.0 * MM,
        bottom: (20.0 + paraf_room) * MM,
    }
}

pub fn layout(doc: &Document) -> (Geometry, Vec<Page>) {
    let g = geometry(doc);
    let mut flow = Flow {
        units: vec![],
        next_para: 0,
        next_group: 0,
        group: None,
    };
    blocks(&mut flow, &doc.blocks, g.left, g.width - g.left - g.right);
    let mut pages = paginate(&flow.units, g.top, g.height - g.bottom);
    let total = pages.len();
    for (n, page) in pages.iter_mut().enumerate() {
        footer(page, &g, n + 1, total, &doc.paraf);
    }
    (g, pages)
}

fn footer(page: &mut Page, g: &Geometry, n: usize, total: usize, paraf: &[String]) {
    let text = format!("Halaman {n} dari {total}");
    let size = 9.0;
    let w = face(Style::default()).width(&text, size);
    page.draws.push(Draw::Text {
        x: (g.width - w) / 2.0,
        baseline: g.height - 10.0 * MM,
        face: 0,
        size,
        text,
        extra: 0.0,
    });
    // The initial boxes, right-aligned above the page number.
    let (bw, bh) = (32.0 * MM, 12.0 * MM);
    let top = g.height - g.bottom + 3.0 * MM;
    let mut x = g.width - g.right - bw * paraf.len() as f32;
    for label in paraf {
        rect(&mut page.draws, x, top, bw, bh, BORDER);
        page.draws.push(Draw::Text {
            x: x + 1.2 * MM,
            baseline: top + 3.2 * MM,
            face: 0,
            size: 7.5,
            text: label.clone(),
            extra: 0.0,
        });
        x += bw;
    }
}

fn rect(draws: &mut Vec<Draw>, x: f32, y: f32, w: f32, h: f32, width: f32) {
    let (x2, y2) = (x + w, y + h);
    for (x1, y1, xe, ye) in [
        (x, y, x2, y),
        (x2, y, x2, y2),
        (x2, y2, x, y2),
        (x, y2, x, y),
    ] {
        draws.push(Draw::Line {
            x1,
            y1,
            x2: xe,
            y2: ye,
            width,
        });
    }
}

// ---- blocks to units -------------------------------------------------------

fn blocks(flow: &mut Flow, bs: &[Block], x: f32, width: f32) {
    for (i, b) in bs.iter().enumerate() {
        let last = i + 1 == bs.len();
        match b {
            Block::Heading {
                level,
                align,
                content,
            } => {
                let size = if *level == 1 { SIZE + 1.0 } else { SIZE };
                let bold = Style {
                    bold: true,
                    ..Style::default()
                };
                if !flow.units.is_empty() && *level <= 2 {
                    flow.units.push(Unit::Space(PARA_AFTER));
                }
                paragraph(flow, content, bold, size, *align, x, width, true);
                flow.units.push(Unit::Space(PARA_AFTER * 0.5));
            }
            Block::Paragraph {
                align,
                content,
                space_before,
            } => {
                if *space_before > 0.0 {
                    flow.units.push(Unit::Space(space_before * MM));
                }
                paragraph(
                    flow,
                    content,
                    Style::default(),
                    SIZE,
                    *align,
                    x,
                    width,
                    false,
                );
                if !last || flow.group.is_none() {
                    flow.units.push(Unit::Space(PARA_AFTER));
                }
            }
            Block::List {
                marker,
                start,
                items,
            } => list(flow, *marker, *start, items, x, width),
            Block::Table {
                widths,
                header,
                rows,
                border,
            } => {
                let total: f32 = widths.iter().sum();
                let mut cx = x;
                let columns: Vec<(f32, f32)> = widths
                    .iter()
                    .map(|w| {
                        let cw = width * w / total;
                        let c = (cx, cw);
                        cx += cw;
                        c
                    })
                    .collect();
                let lay_row = |flow: &mut Flow, row: &Vec<Cell>| -> Vec<Vec<Line>> {
                    row.iter()
                        .zip(&columns)
                        .map(|(cell, (cx, cw))| {
                            cell_lines(flow, cell, cx + CELL_PAD_X, cw - 2.0 * CELL_PAD_X)
                        })
                        .collect()
                };
                let header = header.iter().map(|r| lay_row(flow, r)).collect();
                let rows = rows.iter().map(|r| lay_row(flow, r)).collect();
                flow.units.push(Unit::Table(TableUnit {
                    columns,
                    header,
                    rows,
                    border: *border,
                    group: flow.group,
                }));
                flow.units.push(Unit::Space(PARA_AFTER));
            }
            Block::Signatures(cols) => {
                let n = cols.len().max(1) as f32;
                let cw = width / n;
                let mut height: f32 = 0.0;
                let mut draws = vec![];
                for (i, col) in cols.iter().enumerate() {
                    let mut sub = Flow {
                        units: vec![],
                        next_para: flow.next_para,
                        next_group: 0,
                        group: None,
                    };
                    blocks(&mut sub, col, x + cw * i as f32, cw);
                    flow.next_para = sub.next_para;
                    let (h, d) = stack(&sub.units);
                    height = height.max(h);
                    draws.extend(d);
                }
                flow.units.push(Unit::Atomic {
                    height,
                    draws,
                    group: flow.group,
                });
            }
            Block::Gap(mm) => flow.units.push(Unit::Space(mm * MM)),
            Block::PageBreak => flow.units.push(Unit::PageBreak),
            Block::Keep(inner) => {
                let outer = flow.group;
                if outer.is_none() {
                    flow.group = Some(flow.next_group);
                    flow.next_group += 1;
                }
                blocks(flow, inner, x, width);
                flow.group = outer;
            }
        }
    }
}

/// Units stacked top to bottom as one drawing (for a signature column or a
/// table cell's content): total height and the draws shifted into place.
fn stack(units: &[Unit]) -> (f32, Vec<Draw>) {
    let mut y = 0.0;
    let mut draws = vec![];
    for u in units {
        match u {
            Unit::Line(l) => draws.extend(l.draws.iter().map(|d| d.shifted(y))),
            Unit::Atomic { draws: d, .. } => draws.extend(d.iter().map(|d| d.shifted(y))),
            _ => {}
        }
        y += u.height();
    }
    // Trailing paragraph space is not part of the drawing.
    if let Some(Unit::Space(s)) = units.last() {
        y -= s;
    }
    (y, draws)
}

/// A table cell's content as lines (spaces folded into the line before them),
/// so a row can be split between any two of them.
fn cell_lines(flow: &mut Flow, cell: &Cell, x: f32, width: f32) -> Vec<Line> {
    let mut sub = Flow {
        units: vec![],
        next_para: flow.next_para,
        next_group: 0,
        group: None,
    };
    let header_bold: Vec<Block>;
    let content = if cell.header {
        header_bold = cell.blocks.iter().map(embolden).collect();
        &header_bold
    } else {
        &cell.blocks
    };
    blocks(&mut sub, content, x, width);
    flow.next_para = sub.next_para;
    let mut lines: Vec<Line> = vec![];
    for u in sub.units {
        match u {
            Unit::Line(l) => lines.push(l),
            Unit::Space(s) => {
                if let Some(last) = lines.last_mut() {
                    last.height += s;
                }
            }
            Unit::Atomic { height, draws, .. } => lines.push(Line {
                height,
                draws,
                para: (usize::MAX, 0, 1),
                keep_with_next: false,
                group: None,
            }),
            // Nested tables and page breaks have no place in a cell.
            Unit::Table(_) | Unit::PageBreak => {}
        }
    }
    // The space after the last paragraph would only pad the cell.
    if let Some(last) = lines.last_mut() {
        last.height -= PARA_AFTER;
        last.height = last.height.max(0.0);
    }
    lines
}

fn embolden(b: &Block) -> Block {
    let bold = |c: &Vec<Inline>| {
        c.iter()
            .map(|i| match i {
                Inline::Text(t, s) => Inline::Text(t.clone(), Style { bold: true, ..*s }),
                Inline::Break => Inline::Break,
            })
            .collect()
    };
    match b {
        Block::Paragraph {
            align,
            content,
            space_before,
        } => Block::Paragraph {
            align: *align,
            content: bold(content),
            space_before: *space_before,
        },
        other => other.clone(),
    }
}

fn list(flow: &mut Flow, marker: Marker, start: u32, items: &[Vec<Block>], x: f32, width: f32) {
    let label_w = (0..items.len() as u32)
        .map(|n| face(Style::default()).width(&marker.label(start + n), SIZE))
        .fold(0.0f32, f32::max);
    let indent = (label_w + 1.8 * MM).max(6.0 * MM);
    for (n, item) in items.iter().enumerate() {
        let first = flow.units.len();
        blocks(flow, item, x + indent, width - indent);
        // The marker hangs on the item's first line, which may be the first
        // line of a table's first cell (a party's Nama/Alamat/Jabatan rows).
        let first_line = flow.units[first..].iter_mut().find_map(|u| match u {
            Unit::Line(l) => Some(l),
            Unit::Table(t) => {
                let rows = if t.header.is_empty() {
                    &mut t.rows
                } else {
                    &mut t.header
                };
                rows.first_mut()
                    .and_then(|r| r.first_mut())
                    .and_then(|c| c.first_mut())
            }
            _ => None,
        });
        if let Some(line) = first_line {
            let baseline = line
                .draws
                .iter()
                .find_map(|d| match d {
                    Draw::Text { baseline, .. } => Some(*baseline),
                    _ => None,
                })
                .unwrap_or(line.height * 0.75);
            line.draws.insert(
                0,
                Draw::Text {
                    x,
                    baseline,
                    face: 0,
                    size: SIZE,
                    text: marker.label(start + n as u32),
                    extra: 0.0,
                },
            );
        }
        // Items of a list sit closer than paragraphs.
        if let Some(Unit::Space(s)) = flow.units.last_mut() {
            *s = PARA_AFTER * 0.5;
        }
    }
}

// ---- line breaking ---------------------------------------------------------

/// A word: pieces of text in their styles, with no break opportunity inside.
struct Word {
    pieces: Vec<(String, Style)>,
    width: f32,
    /// Width of the space after it (in the style of its last piece).
    space: f32,
    /// A forced line break follows.
    breaks: bool,
}

fn words(content: &[Inline], base: Style, size: f32, max_width: f32) -> Vec<Word> {
    let mut out: Vec<Word> = vec![];
    let mut current: Option<Word> = None;
    let finish = |current: &mut Option<Word>, out: &mut Vec<Word>, breaks: bool| {
        if let Some(mut w) = current.take() {
            w.breaks = breaks;
            out.push(w);
        } else if breaks {
            // A break with no word before it still ends a line (an empty one).
            out.push(Word {
                pieces: vec![],
                width: 0.0,
                space: 0.0,
                breaks: true,
            });
        }
    };
    for item in content {
        match item {
            Inline::Break => finish(&mut current, &mut out, true),
            Inline::Text(text, style) => {
                let style = Style {
                    bold: style.bold || base.bold,
                    italic: style.italic || base.italic,
                    underline: style.underline || base.underline,
                };
                let f = face(style);
                for (i, part) in text.split(' ').enumerate() {
                    if i > 0 {
                        if let Some(w) = current.as_mut() {
                            w.space = f.width(" ", size);
                        }
                        finish(&mut current, &mut out, false);
                    }
                    if part.is_empty() {
                        continue;
                    }
                    let w = current.get_or_insert_with(|| Word {
                        pieces: vec![],
                        width: 0.0,
                        space: 0.0,
                        breaks: false,
                    });
                    w.width += f.width(part, size);
                    w.pieces.push((part.to_string(), style));
                }
            }
        }
    }
    finish(&mut current, &mut out, false);
    // A word wider than the line (a long URL) is cut where it must be.
    let mut fitted = Vec::with_capacity(out.len());
    for w in out {
        if w.width <= max_width || w.pieces.len() != 1 {
            fitted.push(w);
            continue;
        }
        let (text, style) = w.pieces[0].clone();
        let f = face(style);
        let mut chunk = String::new();
        for ch in text.chars() {
            chunk.push(ch);
            if f.width(&chunk, size) > max_width && chunk.chars().count() > 1 {
                let last = chunk.pop().unwrap_or(ch);
                fitted.push(Word {
                    width: f.width(&chunk, size),
                    pieces: vec![(chunk, style)],
                    space: 0.0,
                    breaks: false,
                });
                chunk = last.to_string();
            }
        }
        fitted.push(Word {
            width: f.width(&chunk, size),
            pieces: vec![(chunk, style)],
            space: w.space,
            breaks: w.breaks,
        });
    }
    fitted
}

#[allow(clippy::too_many_arguments)]
fn paragraph(
    flow: &mut Flow,
    content: &[Inline],
    base: Style,
    size: f32,
    align: Align,
    x: f32,
    width: f32,
    keep_with_next: bool,
) {
    let ws = words(content, base, size, width);
    let mut lines: Vec<(usize, usize, bool)> = vec![]; // (from, to, ends paragraph or forced)
    let mut from = 0;
    let mut used = 0.0;
    for (i, w) in ws.iter().enumerate() {
        let gap = if i > from { ws[i - 1].space } else { 0.0 };
        if i > from && used + gap + w.width > width {
            lines.push((from, i, false));
            from = i;
            used = 0.0;
        } else {
            used += gap;
        }
        used += w.width;
        if w.breaks {
            lines.push((from, i + 1, true));
            from = i + 1;
            used = 0.0;
        }
    }
    if from < ws.len() || lines.is_empty() {
        lines.push((from, ws.len(), true));
    }
    let height = size * LEADING;
    let f = face(base);
    let baseline = (height - size * (f.ascent + f.descent)) / 2.0 + size * f.ascent;
    let para = flow.next_para;
    flow.next_para += 1;
    let count = lines.len();
    for (n, (from, to, last)) in lines.into_iter().enumerate() {
        let line_words = &ws[from..to];
        let natural: f32 = line_words.iter().map(|w| w.width).sum::<f32>()
            + line_words
                .iter()
                .take(line_words.len().saturating_sub(1))
                .map(|w| w.space)
                .sum::<f32>();
        let gaps = line_words.len().saturating_sub(1);
        let (mut cx, extra) = match align {
            Align::Justify if !last && gaps > 0 => (x, (width - natural) / gaps as f32),
            Align::Center => (x + (width - natural) / 2.0, 0.0),
            Align::Right => (x + width - natural, 0.0),
            _ => (x, 0.0),
        };
        let mut draws: Vec<Draw> = vec![];
        let mut run: Option<(String, Style, f32)> = None; // text, style, start x
        let push_run =
            |run: &mut Option<(String, Style, f32)>, end_x: f32, draws: &mut Vec<Draw>| {
                if let Some((text, style, sx)) = run.take() {
                    if style.underline {
                        let w = end_x
                            - sx
                            - if text.ends_with(' ') {
                                face(style).width(" ", size) + extra
                            } else {
                                0.0
                            };
                        draws.push(Draw::Line {
                            x1: sx,
                            y1: baseline + 1.5,
                            x2: sx + w,
                            y2: baseline + 1.5,
                            width: 0.6,
                        });
                    }
                    draws.push(Draw::Text {
                        x: sx,
                        baseline,
                        face: face_index(style),
                        size,
                        text,
                        extra,
                    });
                }
            };
        for (wi, w) in line_words.iter().enumerate() {
            let trailing_space = wi + 1 < line_words.len();
            for (pi, (text, style)) in w.pieces.iter().enumerate() {
                if run.as_ref().is_some_and(|(_, s, _)| s != style) {
                    push_run(&mut run, cx, &mut draws);
                }
                let r = run.get_or_insert_with(|| (String::new(), *style, cx));
                r.0.push_str(text);
                cx += face(*style).width(text, size);
                if trailing_space && pi + 1 == w.pieces.len() {
                    r.0.push(' ');
                    cx += w.space + extra;
                }
            }
        }
        push_run(&mut run, cx, &mut draws);
        flow.units.push(Unit::Line(Line {
            height,
            draws,
            para: (para, n, count),
            keep_with_next,
            group: flow.group,
        }));
    }
}

// ---- pagination ------------------------------------------------------------

fn row_height(row: &[Vec<Line>]) -> f32 {
    row.iter()
        .map(|c| c.iter().map(|l| l.height).sum::<f32>())
        .fold(0.0, f32::max)
        + 2.0 * CELL_PAD_Y
}

struct Pager {
    pages: Vec<Page>,
    y: f32,
    top: f32,
    bottom: f32,
}

impl Pager {
    fn new_page(&mut self) {
        self.pages.push(Page { draws: vec![] });
        self.y = self.top;
    }
    fn room(&self) -> f32 {
        self.bottom - self.y
    }
    fn at_top(&self) -> bool {
        self.y <= self.top
    }
    fn place(&mut self, draws: &[Draw], height: f32) {
        let page = self.pages.last_mut().expect("a page is open");
        page.draws.extend(draws.iter().map(|d| d.shifted(self.y)));
        self.y += height;
    }
}

fn paginate(units: &[Unit], top: f32, bottom: f32) -> Vec<Page> {
    let mut p = Pager {
        pages: vec![],
        y: top,
        top,
        bottom,
    };
    p.new_page();
    let full = bottom - top;
    // Heights of keep-together groups.
    let mut groups: std::collections::HashMap<usize, f32> = Default::default();
    for u in units {
        if let Some(g) = u.group() {
            *groups.entry(g).or_default() += u.height();
        }
    }
    let mut i = 0;
    while i < units.len() {
        let u = &units[i];
        // Entering a keep-together group that fits a page but not this one.
        if let Some(g) = u.group() {
            let starts = i == 0 || units[i - 1].group() != Some(g);
            let h = groups[&g];
            if starts && h <= full && h > p.room() && !p.at_top() {
                p.new_page();
            }
        }
        match u {
            Unit::PageBreak => {
                if !p.at_top() {
                    p.new_page();
                }
            }
            Unit::Space(h) => {
                if !p.at_top() {
                    p.y += h.min(p.room().max(0.0));
                }
            }
            Unit::Atomic { height, draws, .. } => {
                if *height > p.room() && !p.at_top() {
                    p.new_page();
                }
                p.place(draws, *height);
            }
            Unit::Line(line) => {
                if needs_break(units, i, &p) {
                    p.new_page();
                }
                p.place(&line.draws, line.height);
            }
            Unit::Table(t) => table(&mut p, t),
        }
        i += 1;
    }
    if p.pages.len() > 1 && p.pages.last().is_some_and(|pg| pg.draws.is_empty()) {
        p.pages.pop();
    }
    p.pages
}

/// Whether line `i` must start a new page: it does not fit, or placing it
/// here would leave an orphan, a widow or a heading alone at the foot.
fn needs_break(units: &[Unit], i: usize, p: &Pager) -> bool {
    let Unit::Line(line) = &units[i] else {
        return false;
    };
    if p.at_top() {
        return false;
    }
    if line.height > p.room() {
        return true;
    }
    let (para, idx, count) = line.para;
    let next_line = |j: usize| match units.get(j) {
        Some(Unit::Line(l)) => Some(l),
        _ => None,
    };
    // Orphan: the first line of a paragraph alone at the foot of the page.
    // Widow: its last line alone at the head of the next.
    if count >= 2 && (idx == 0 || (idx + 2 == count && count >= 3)) {
        if let Some(n) = next_line(i + 1).filter(|n| n.para.0 == para) {
            if line.height + n.height > p.room() {
                return true;
            }
        }
    }
    // A heading (and a list item's lead) stays with at least two lines of what follows.
    if line.keep_with_next && idx + 1 == count {
        let mut need = line.height;
        let mut taken = 0;
        let mut j = i + 1;
        while taken < 2 && j < units.len() {
            match &units[j] {
                Unit::Space(s) => need += s,
                Unit::Line(l) => {
                    need += l.height;
                    taken += 1;
                }
                Unit::Atomic { height, .. } => {
                    need += height;
                    taken = 2;
                }
                Unit::Table(t) => {
                    need += t.header.iter().map(|r| row_height(r)).sum::<f32>()
                        + t.rows
                            .first()
                            .map(|r| row_height(r).min(3.0 * SIZE * LEADING))
                            .unwrap_or(0.0);
                    taken = 2;
                }
                Unit::PageBreak => break,
            }
            j += 1;
        }
        if need > p.room() && need <= p.bottom - p.top {
            return true;
        }
    }
    false
}

fn draw_row(p: &mut Pager, t: &TableUnit, cells: &[&[Line]], height: f32) {
    let top = p.y;
    let page = p.pages.last_mut().expect("a page is open");
    for (lines, (cx, cw)) in cells.iter().zip(&t.columns) {
        let mut y = top + CELL_PAD_Y;
        for l in lines.iter() {
            page.draws.extend(l.draws.iter().map(|d| d.shifted(y)));
            y += l.height;
        }
        if t.border {
            rect(&mut page.draws, *cx, top, *cw, height, BORDER);
        }
    }
    p.y += height;
}

fn table(p: &mut Pager, t: &TableUnit) {
    let header_h: f32 = t.header.iter().map(|r| row_height(r)).sum();
    let line_h = SIZE * LEADING;
    let draw_header = |p: &mut Pager| {
        for row in &t.header {
            let cells: Vec<&[Line]> = row.iter().map(|c| c.as_slice()).collect();
            draw_row(p, t, &cells, row_height(row));
        }
    };
    let content_h = |cells: &[&[Line]]| {
        cells
            .iter()
            .map(|c| c.iter().map(|l| l.height).sum::<f32>())
            .fold(0.0, f32::max)
    };
    if header_h + 2.0 * line_h + 2.0 * CELL_PAD_Y > p.room() && !p.at_top() {
        p.new_page();
    }
    draw_header(p);
    for row in &t.rows {
        let mut rest: Vec<&[Line]> = row.iter().map(|c| c.as_slice()).collect();
        let mut fresh = false;
        loop {
            let h = content_h(&rest) + 2.0 * CELL_PAD_Y;
            if h <= p.room() {
                draw_row(p, t, &rest, h);
                break;
            }
            // Split the row: each cell gives the lines that fit here, the
            // rest continues on the next page under the repeated header.
            let avail = p.room() - 2.0 * CELL_PAD_Y;
            let split: Vec<usize> = rest
                .iter()
                .map(|c| {
                    let mut used = 0.0;
                    let n = c
                        .iter()
                        .take_while(|l| {
                            used += l.height;
                            used <= avail
                        })
                        .count();
                    // A line taller than a whole page still has to go somewhere.
                    if fresh && n == 0 {
                        c.len().min(1)
                    } else {
                        n
                    }
                })
                .collect();
            if split.iter().all(|n| *n == 0) {
                p.new_page();
                draw_header(p);
                fresh = true;
                continue;
            }
            let here: Vec<&[Line]> = rest.iter().zip(&split).map(|(c, n)| &c[..*n]).collect();
            draw_row(p, t, &here, p.room());
            rest = rest.iter().zip(&split).map(|(c, n)| &c[*n..]).collect();
            p.new_page();
            draw_header(p);
            fresh = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::markup::parse;

    fn texts(page: &Page) -> Vec<String> {
        page.draws
            .iter()
            .filter_map(|d| match d {
                Draw::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn justified_lines_fill_the_measure_except_the_last() {
        let body = "kata ".repeat(200);
        let doc = parse(&format!("<doc><p>{body}</p></doc>")).unwrap();
        let (g, pages) = layout(&doc);
        let width = g.width - g.left - g.right;
        let lines: Vec<(f32, f32)> = pages[0]
            .draws
            .iter()
            .filter_map(|d| match d {
                Draw::Text {
                    x,
                    text,
                    extra,
                    size,
                    face,
                    ..
                } if text.starts_with("kata") => {
                    let f = &crate::documents::fonts::faces()[*face];
                    let spaces = text.matches(' ').count() as f32;
                    let w = f.width(text.trim_end(), *size) + spaces * *extra
                        - if text.ends_with(' ') { *extra } else { 0.0 };
                    Some((*x, w))
                }
                _ => None,
            })
            .collect();
        assert!(lines.len() > 3);
        for (x, w) in &lines[..lines.len() - 1] {
            assert!((x - g.left).abs() < 0.01);
            assert!((w - width).abs() < 1.0, "line width {w} vs measure {width}");
        }
        assert!(lines.last().unwrap().1 < width);
    }

    #[test]
    fn long_documents_get_page_numbers_and_no_widows() {
        let para = format!("<p>{}</p>", "lorem ipsum dolor sit amet ".repeat(30));
        let doc = parse(&format!(
            "<doc paraf='Paraf A|Paraf B'>{}</doc>",
            para.repeat(20)
        ))
        .unwrap();
        let (_, pages) = layout(&doc);
        assert!(pages.len() >= 3);
        let n = pages.len();
        for (i, page) in pages.iter().enumerate() {
            let t = texts(page);
            assert!(t.contains(&format!("Halaman {} dari {n}", i + 1)));
            assert!(t.contains(&"Paraf A".to_string()) && t.contains(&"Paraf B".to_string()));
        }
    }

    #[test]
    fn table_rows_split_with_the_header_repeated() {
        let cell = "petunjuk teknis yang panjang sekali ".repeat(150);
        let doc = parse(&format!(
            "<doc><table widths='1,4'><thead><tr><th>KRITERIA</th><th>PETUNJUK</th></tr></thead><tr><td>I.</td><td>{cell}</td></tr></table></doc>"
        ))
        .unwrap();
        let (_, pages) = layout(&doc);
        assert!(pages.len() >= 2);
        for page in &pages {
            assert!(
                texts(page).iter().any(|t| t.contains("PETUNJUK")),
                "header on every page"
            );
        }
    }

    #[test]
    fn headings_are_not_left_at_the_foot_of_a_page() {
        let filler = format!("<p>{}</p>", "isi ".repeat(60));
        for n in 0..30 {
            let doc = parse(&format!(
                "<doc>{}<h2>Pasal Sembilan</h2><p>{}</p></doc>",
                filler.repeat(n),
                "x ".repeat(200)
            ))
            .unwrap();
            let (g, pages) = layout(&doc);
            for page in &pages {
                let heading = page.draws.iter().find_map(|d| match d {
                    Draw::Text { text, baseline, .. } if text == "Pasal Sembilan" => {
                        Some(*baseline)
                    }
                    _ => None,
                });
                if let Some(y) = heading {
                    assert!(
                        y < g.height - g.bottom - 2.0 * SIZE * LEADING,
                        "heading at {y} with {n} paragraphs"
                    );
                }
            }
        }
    }
}
