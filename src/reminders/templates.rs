//! E-mail templates: Handlebars in strict mode (a missing value is an
//! error, never a blank), built in from `templates/email/`, and overridable
//! at run time by files in `<SEPAKAT_TEMPLATES>/email/`.

use std::path::Path;

use handlebars::Handlebars;
use serde::Serialize;

const BUILT_IN: &[(&str, &str)] = &[
    (
        "reminder.subject",
        include_str!("../../templates/email/reminder.subject.hbs"),
    ),
    (
        "reminder.txt",
        include_str!("../../templates/email/reminder.txt.hbs"),
    ),
    (
        "reminder.html",
        include_str!("../../templates/email/reminder.html.hbs"),
    ),
    (
        "digest.subject",
        include_str!("../../templates/email/digest.subject.hbs"),
    ),
    (
        "digest.txt",
        include_str!("../../templates/email/digest.txt.hbs"),
    ),
    (
        "digest.html",
        include_str!("../../templates/email/digest.html.hbs"),
    ),
    (
        "invitation.subject",
        include_str!("../../templates/email/invitation.subject.hbs"),
    ),
    (
        "invitation.txt",
        include_str!("../../templates/email/invitation.txt.hbs"),
    ),
    (
        "invitation.html",
        include_str!("../../templates/email/invitation.html.hbs"),
    ),
    (
        "reset.subject",
        include_str!("../../templates/email/reset.subject.hbs"),
    ),
    (
        "reset.txt",
        include_str!("../../templates/email/reset.txt.hbs"),
    ),
    (
        "reset.html",
        include_str!("../../templates/email/reset.html.hbs"),
    ),
    (
        "returned.subject",
        include_str!("../../templates/email/returned.subject.hbs"),
    ),
    (
        "returned.txt",
        include_str!("../../templates/email/returned.txt.hbs"),
    ),
    (
        "returned.html",
        include_str!("../../templates/email/returned.html.hbs"),
    ),
];

pub struct Templates {
    /// Subjects and plain text: no HTML escaping.
    text: Handlebars<'static>,
    html: Handlebars<'static>,
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Templates {
    /// The built-in set, with any file in `override_dir/email/NAME.hbs` taking its place.
    pub fn load(override_dir: Option<&Path>) -> Result<Self, String> {
        let mut text = Handlebars::new();
        text.set_strict_mode(true);
        text.register_escape_fn(handlebars::no_escape);
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        for (name, built_in) in BUILT_IN {
            let source = match override_dir.map(|d| d.join("email").join(format!("{name}.hbs"))) {
                Some(path) if path.is_file() => std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?,
                _ => built_in.to_string(),
            };
            let target = if name.ends_with(".html") {
                &mut html
            } else {
                &mut text
            };
            target
                .register_template_string(name, source)
                .map_err(|e| format!("template {name}: {e}"))?;
        }
        Ok(Templates { text, html })
    }

    pub fn render<T: Serialize>(&self, kind: &str, data: &T) -> Result<Rendered, String> {
        let r = |h: &Handlebars, name: String| {
            h.render(&name, data)
                .map_err(|e| format!("template {name}: {e}"))
        };
        Ok(Rendered {
            subject: r(&self.text, format!("{kind}.subject"))?.trim().to_string(),
            text: r(&self.text, format!("{kind}.txt"))?,
            html: r(&self.html, format!("{kind}.html"))?,
        })
    }
}
