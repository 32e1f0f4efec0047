//! Delivery: SMTP through lettre's pooled transport (`SMTP_URL`: `smtp://`
//! plain or with `?tls=required` for STARTTLS, `smtps://` for TLS), or
//! `.eml` files in an outbox folder when no SMTP server is configured.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{Message, SmtpTransport, Transport};

use crate::store::outbox::OutboxRow;

pub enum Mailer {
    Smtp(SmtpTransport),
    Files(PathBuf),
}

#[derive(Debug)]
pub struct SendError {
    /// Worth retrying: the server is down or answered 4xx.
    pub transient: bool,
    pub message: String,
}

/// The row's own Message-ID: the same on every attempt, so a copy sent again
/// after a crash mid-send (the one way a message can go twice) is the same
/// message to every mail client.
pub fn message_id(row: &OutboxRow, from: &Mailbox) -> String {
    format!(
        "<sepakat.{}.{}@{}>",
        row.id,
        row.created_at.and_utc().timestamp(),
        from.email.domain()
    )
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, outbox_dir: PathBuf) -> Result<Self, String> {
        match smtp_url {
            Some(url) => SmtpTransport::from_url(url)
                .map(|b| Mailer::Smtp(b.timeout(Some(Duration::from_secs(20))).build()))
                .map_err(|e| format!("SMTP_URL tidak valid: {e}")),
            None => Ok(Mailer::Files(outbox_dir)),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp(_) => "SMTP".into(),
            Mailer::Files(dir) => format!("berkas .eml di {}", dir.display()),
        }
    }

    pub fn send(&self, from: &Mailbox, row: &OutboxRow) -> Result<(), SendError> {
        let permanent = |m: String| SendError {
            transient: false,
            message: m,
        };
        let to: Mailbox = row
            .recipient
            .parse()
            .map_err(|e| permanent(format!("alamat penerima tidak valid: {e}")))?;
        let mut builder = Message::builder()
            .message_id(Some(message_id(row, from)))
            .from(from.clone())
            .to(to)
            .subject(row.subject.clone());
        if let Some(cc) = &row.cc {
            let cc: Mailbox = cc
                .parse()
                .map_err(|e| permanent(format!("alamat tembusan tidak valid: {e}")))?;
            builder = builder.cc(cc);
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(
                row.body_text.clone(),
                row.body_html.clone(),
            ))
            .map_err(|e| permanent(format!("pesan tidak dapat disusun: {e}")))?;
        match self {
            Mailer::Smtp(transport) => {
                transport.send(&message).map(|_| ()).map_err(|e| SendError {
                    transient: !e.is_permanent(),
                    message: e.to_string(),
                })
            }
            Mailer::Files(dir) => {
                let write = || -> std::io::Result<()> {
                    std::fs::create_dir_all(dir)?;
                    std::fs::write(dir.join(format!("{:08}.eml", row.id)), message.formatted())
                };
                write().map_err(|e| SendError {
                    transient: true,
                    message: format!("menulis .eml gagal: {e}"),
                })
            }
        }
    }
}
