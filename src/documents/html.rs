//! HTML output: the document markup itself inside a page with the
//! stylesheet from `assets/document.css` (our custom elements such as
//! `<signatures>` are styled there), so browser and PDF show one source.

use super::model::Document;

const STYLESHEET: &str = include_str!("../../assets/document.css");

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn render(doc: &Document, markup: &str) -> Result<String, roxmltree::Error> {
    let tree = roxmltree::Document::parse(markup)?;
    let root = tree.root_element();
    let body = match (root.first_child(), root.last_child()) {
        (Some(first), Some(last)) => &markup[first.range().start..last.range().end],
        _ => "",
    };
    let paper = match doc.paper {
        super::model::Paper::A4 => "A4",
        super::model::Paper::F4 => "215mm 330mm",
    };
    let paraf: String = doc
        .paraf
        .iter()
        .map(|p| format!("<span class=\"paraf-box\">{}</span>", escape(p)))
        .collect();
    let paraf = if paraf.is_empty() {
        String::new()
    } else {
        format!("\n<footer class=\"paraf\">{paraf}</footer>")
    };
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n@page {{ size: {paper}; margin: 20mm 20mm 20mm 25mm; }}\n{STYLESHEET}</style>\n</head>\n<body>\n<main class=\"doc\">{body}</main>{paraf}\n</body>\n</html>\n",
        escape(&doc.title)
    ))
}
