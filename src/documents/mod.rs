//! Documents drawn up from an agreement: PKS, Juknis, SPTJM, NDA, renewal
//! request letter and adendum, as HTML and PDF from one source.
//!
//! Handlebars template (strict) → document markup (a small XHTML subset,
//! `templates/documents/README.md`) → typed model → HTML with a stylesheet,
//! or PDF laid out by our own engine on printpdf's low-level API.

pub mod context;
mod fonts;
pub mod html;
pub mod layout;
pub mod markup;
pub mod model;
pub mod pdf;

use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Kind {
    Pks,
    Juknis,
    Sptjm,
    Nda,
    RenewalLetter,
    Adendum,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Pks,
        Kind::Juknis,
        Kind::Sptjm,
        Kind::Nda,
        Kind::RenewalLetter,
        Kind::Adendum,
    ];

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.file_stem() == s)
    }

    /// The name in URLs and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pks => "pks",
            Kind::Juknis => "juknis",
            Kind::Sptjm => "sptjm",
            Kind::Nda => "nda",
            Kind::RenewalLetter => "renewal-letter",
            Kind::Adendum => "adendum",
        }
    }

    fn file_stem(self) -> &'static str {
        match self {
            Kind::RenewalLetter => "renewal_letter",
            other => other.as_str(),
        }
    }

    /// How the file is called when downloaded: "PKS", "Juknis", …
    pub fn title(self) -> &'static str {
        match self {
            Kind::Pks => "PKS",
            Kind::Juknis => "Juknis",
            Kind::Sptjm => "SPTJM",
            Kind::Nda => "NDA",
            Kind::RenewalLetter => "Surat-Permohonan-Perpanjangan",
            Kind::Adendum => "Adendum",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Pdf,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "html" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The agreement lacks what the document needs; the user can fix it.
    #[error("{0}")]
    Missing(#[from] context::Missing),
    #[error("set dokumen '{0}' tidak dikenal (tersedia: {1})")]
    UnknownSet(String, String),
    /// A template (built in or overridden) failed: an operator's problem.
    #[error("template {0}: {1}")]
    Template(String, String),
}

macro_rules! built_in {
    ($($set:literal / $kind:literal),+ $(,)?) => {
        &[$(($set, $kind, include_str!(concat!("../../templates/documents/", $set, "/", $kind, ".hbs")))),+]
    };
}

/// Built-in templates; a set that lacks a kind uses the default set's.
const BUILT_IN: &[(&str, &str, &str)] = built_in!(
    "default" / "pks",
    "default" / "juknis",
    "default" / "sptjm",
    "default" / "nda",
    "default" / "renewal_letter",
    "default" / "adendum",
    "karanganyar" / "pks",
    "karanganyar" / "juknis",
    "bandung" / "juknis",
);

pub const SETS: [&str; 3] = ["default", "karanganyar", "bandung"];

pub struct Renderer {
    hb: Handlebars<'static>,
    override_dir: Option<PathBuf>,
}

fn new_registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb
}

impl Renderer {
    /// The built-in sets; files in `override_dir/documents/<set>/<kind>.hbs`
    /// replace them, read at each render so an edit shows without a restart.
    pub fn new(override_dir: Option<&Path>) -> Result<Renderer, DocumentError> {
        let mut hb = new_registry();
        for (set, kind, source) in BUILT_IN {
            let name = format!("{set}/{kind}");
            hb.register_template_string(&name, *source)
                .map_err(|e| DocumentError::Template(name.clone(), e.to_string()))?;
        }
        Ok(Renderer {
            hb,
            override_dir: override_dir.map(Path::to_path_buf),
        })
    }

    /// Refuses a set name no template folder answers to, for an office's choice.
    pub fn check_set(&self, set: Option<&str>) -> Result<(), String> {
        match set {
            Some(s) if !self.known_set(s) => Err(format!(
                "set dokumen '{s}' tidak dikenal (tersedia: {})",
                SETS.join(", ")
            )),
            _ => Ok(()),
        }
    }

    /// A built-in set, or a folder of the override directory; a name that
    /// could leave that directory is never a set.
    fn known_set(&self, set: &str) -> bool {
        if set.is_empty() || set.contains(['/', '\\', '.']) {
            return false;
        }
        SETS.contains(&set)
            || self
                .override_dir
                .as_ref()
                .is_some_and(|d| d.join("documents").join(set).is_dir())
    }

    /// The document markup for `kind` in `set`.
    pub fn markup(&self, set: &str, kind: Kind, ctx: &Value) -> Result<String, DocumentError> {
        if !self.known_set(set) {
            return Err(DocumentError::UnknownSet(set.to_string(), SETS.join(", ")));
        }
        let stem = kind.file_stem();
        for candidate in [set, "default"] {
            if let Some(dir) = &self.override_dir {
                let path = dir
                    .join("documents")
                    .join(candidate)
                    .join(format!("{stem}.hbs"));
                if path.is_file() {
                    let name = path.display().to_string();
                    let source = std::fs::read_to_string(&path)
                        .map_err(|e| DocumentError::Template(name.clone(), e.to_string()))?;
                    return new_registry()
                        .render_template(&source, ctx)
                        .map_err(|e| DocumentError::Template(name, e.to_string()));
                }
            }
            let name = format!("{candidate}/{stem}");
            if self.hb.has_template(&name) {
                return self
                    .hb
                    .render(&name, ctx)
                    .map_err(|e| DocumentError::Template(name, e.to_string()));
            }
        }
        Err(DocumentError::Template(
            format!("{set}/{stem}"),
            "tidak ada".into(),
        ))
    }

    pub fn render(
        &self,
        set: &str,
        kind: Kind,
        format: Format,
        ctx: &Value,
    ) -> Result<Vec<u8>, DocumentError> {
        let markup = self.markup(set, kind, ctx)?;
        let name = format!("{set}/{}", kind.file_stem());
        let doc = markup::parse(&markup)
            .map_err(|e| DocumentError::Template(name.clone(), e.to_string()))?;
        Ok(match format {
            Format::Pdf => pdf::render(&doc),
            Format::Html => html::render(&doc, &markup)
                .map_err(|e| DocumentError::Template(name, e.to_string()))?
                .into_bytes(),
        })
    }
}

/// A download name: "PKS-400.12-2432-2025.pdf".
pub fn file_name(kind: Kind, number: Option<&str>, id: i64, format: Format) -> String {
    let base = match number {
        Some(n) => n
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect(),
        None => format!("agreement-{id}"),
    };
    format!("{}-{base}.{}", kind.title(), format.extension())
}

/// How a document is drawn up beyond its agreement and kind.
#[derive(Debug, Clone)]
pub struct DrawOptions {
    /// The template set; else the issuing office's, else the default.
    pub set: Option<String>,
    /// Dates what is drafted now (a renewal letter not yet numbered).
    pub today: chrono::NaiveDate,
    /// Masks personal data the reader is not entitled to.
    pub privacy: Option<crate::domain::privacy::Entitled>,
    pub paper: model::Paper,
    /// A draft's preview: what is not yet recorded prints as dots.
    pub draft: bool,
}

impl DrawOptions {
    pub fn new(today: chrono::NaiveDate) -> Self {
        DrawOptions {
            set: None,
            today,
            privacy: None,
            paper: model::Paper::A4,
            draft: false,
        }
    }
}

/// The set an agreement's documents are worded in: the one asked for, else
/// the issuing office's (PIHAK KESATU), else the default.
pub fn set_for<'a>(
    doc: &'a crate::domain::agreement::AgreementDoc,
    asked: Option<&'a str>,
) -> &'a str {
    asked
        .or_else(|| {
            doc.party(crate::domain::catalog::Side::First)
                .and_then(|p| p.institution.document_set.as_deref())
        })
        .unwrap_or("default")
}

impl Renderer {
    /// Draws up one document of an agreement.
    pub fn draw_up(
        &self,
        doc: &crate::domain::agreement::AgreementDoc,
        kind: Kind,
        format: Format,
        o: &DrawOptions,
    ) -> Result<Vec<u8>, DocumentError> {
        let ctx = self.context(doc, kind, o)?;
        self.render(set_for(doc, o.set.as_deref()), kind, format, &ctx)
    }

    /// The document's text without layout: what two versions of a draft
    /// are compared by.
    pub fn plain_text(
        &self,
        doc: &crate::domain::agreement::AgreementDoc,
        kind: Kind,
        o: &DrawOptions,
    ) -> Result<String, DocumentError> {
        let ctx = self.context(doc, kind, o)?;
        let set = set_for(doc, o.set.as_deref());
        let markup = self.markup(set, kind, &ctx)?;
        let parsed = markup::parse(&markup).map_err(|e| {
            DocumentError::Template(format!("{set}/{}", kind.file_stem()), e.to_string())
        })?;
        Ok(parsed.plain_text())
    }

    fn context(
        &self,
        doc: &crate::domain::agreement::AgreementDoc,
        kind: Kind,
        o: &DrawOptions,
    ) -> Result<serde_json::Value, DocumentError> {
        let (today, privacy) = (o.today, o.privacy);
        let mut ctx = if o.draft {
            context::build_draft(doc, today)?
        } else {
            context::build(doc, today)?
        };
        ctx["paper"] = serde_json::Value::String(match o.paper {
            model::Paper::A4 => "a4".into(),
            model::Paper::F4 => "f4".into(),
        });
        if let Some(entitled) = privacy {
            crate::domain::privacy::mask(&mut ctx, entitled);
        }
        if kind == Kind::Juknis && ctx["juknis"].is_null() {
            return Err(context::Missing(
                "Juknis perjanjian ini belum diisi (nomor dan tanggal Juknis)".into(),
            )
            .into());
        }
        Ok(ctx)
    }
}
