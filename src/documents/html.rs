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

/// HTML has no self-closing custom elements: `<gap mm="5"/>` would open an
/// element that swallows what follows, so empty ones are written out in full.
fn expand_empty(body: &str, tags: &[&str]) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('>').map(|e| e + 1).unwrap_or(rest.len());
        let tag = &rest[..end];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if tag.ends_with("/>") && tags.contains(&name.as_str()) {
            out.push_str(tag[..tag.len() - 2].trim_end());
            out.push_str(&format!("></{name}>"));
        } else {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

pub fn render(doc: &Document, markup: &str) -> Result<String, roxmltree::Error> {
    let tree = roxmltree::Document::parse(markup)?;
    let root = tree.root_element();
    let body = match (root.first_child(), root.last_child()) {
        (Some(first), Some(last)) => &markup[first.range().start..last.range().end],
        _ => "",
    };
    let body = expand_empty(
        body,
        &[
            "gap",
            "pagebreak",
            "signer",
            "td",
            "th",
            "p",
            "li",
            "ol",
            "keep",
        ],
    );
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

#[cfg(test)]
mod tests {
    #[test]
    fn empty_custom_elements_are_closed_for_html() {
        assert_eq!(
            super::expand_empty(
                "<p>a<br/></p><gap mm=\"5\"/><pagebreak/><signer/>",
                &["gap", "pagebreak", "signer"]
            ),
            "<p>a<br/></p><gap mm=\"5\"></gap><pagebreak></pagebreak><signer></signer>"
        );
    }
}
