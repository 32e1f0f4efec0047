//! Receiving an evidence upload (multipart/form-data), for the API and the
//! pages alike: the `file` part is spooled to disk as it arrives (never
//! held in memory), refused past the size limit, then checked by its
//! content off the request workers; the other parts are short text fields.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::web;
use futures_util::StreamExt;

use super::problem::ApiError;
use super::AppState;
use crate::files::{Spool, Spooled};

/// The longest text field, and how many there may be.
const MAX_FIELD: usize = 2_000;
const MAX_FIELDS: usize = 20;

/// What arrived: the checked file (if a `file` part was sent) and its name,
/// and the text fields by name.
pub struct Received {
    pub file: Option<(Spooled, String)>,
    pub fields: BTreeMap<String, String>,
}

/// A refusal of the upload, for the field it is about.
#[derive(Debug)]
pub struct Refused {
    pub field: &'static str,
    pub message: String,
}

impl From<Refused> for ApiError {
    fn from(r: Refused) -> ApiError {
        if r.message.starts_with("berkas terlalu besar") {
            return ApiError::new(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                "Berkas terlalu besar",
                r.message,
            );
        }
        ApiError::invalid(vec![crate::domain::agreement::FieldError {
            pointer: format!("/{}", r.field),
            message: r.message,
        }])
    }
}

fn refused(field: &'static str, message: impl Into<String>) -> Refused {
    Refused {
        field,
        message: message.into(),
    }
}

/// Reads the whole multipart body. A form without a file part is answered
/// with `file: None` (the caller says whether it needed one).
pub async fn receive(
    state: &web::Data<AppState>,
    headers: &actix_web::http::header::HeaderMap,
    payload: web::Payload,
) -> Result<Received, Refused> {
    let mut parts = Multipart::new(headers, payload);
    let mut fields = BTreeMap::new();
    let mut file: Option<(Spool, String)> = None;
    let unreadable = |e: actix_multipart::MultipartError| {
        refused(
            "file",
            format!("isi unggahan tidak terbaca (harus multipart/form-data): {e}"),
        )
    };
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(unreadable)?;
        let name = part.name().unwrap_or("").to_string();
        if name == "file" {
            if file.is_some() {
                return Err(refused("file", "unggah satu berkas saja"));
            }
            let file_name = part
                .content_disposition()
                .and_then(|d| d.get_filename())
                .unwrap_or("berkas")
                .to_string();
            let mut spool = Spool::new(state.max_upload).map_err(|m| refused("file", m))?;
            while let Some(chunk) = part.next().await {
                let chunk = chunk.map_err(unreadable)?;
                // Writing a chunk to the spool file is a short local write.
                spool.write(&chunk).map_err(|m| refused("file", m))?;
            }
            file = Some((spool, file_name));
        } else {
            if fields.len() >= MAX_FIELDS {
                return Err(refused("file", "terlalu banyak isian"));
            }
            let mut value = Vec::new();
            while let Some(chunk) = part.next().await {
                let chunk = chunk.map_err(unreadable)?;
                if value.len() + chunk.len() > MAX_FIELD {
                    return Err(refused("file", format!("isian {name} terlalu panjang")));
                }
                value.extend_from_slice(&chunk);
            }
            let value = String::from_utf8(value)
                .map_err(|_| refused("file", format!("isian {name} bukan teks UTF-8")))?
                .replace("\r\n", "\n");
            crate::domain::text::check_text(&value, MAX_FIELD)
                .map_err(|m| refused("file", format!("isian {name}: {m}")))?;
            fields.insert(name, value);
        }
    }
    let file = match file {
        None => None,
        Some((spool, name)) => {
            let checked = web::block(move || spool.finish())
                .await
                .map_err(|_| refused("file", "berkas tidak dapat diperiksa"))?
                .map_err(|m| refused("file", m))?;
            Some((checked, name))
        }
    };
    Ok(Received { file, fields })
}

/// Why an upload was not recorded.
pub enum HandInError {
    /// The form's CSRF token was missing or wrong (the pages' check).
    Csrf,
    /// Refused, with the text fields that came with it (to fill the form
    /// again).
    Refused(ApiError, BTreeMap<String, String>),
}

impl From<HandInError> for ApiError {
    fn from(e: HandInError) -> ApiError {
        match e {
            HandInError::Csrf => ApiError::new(
                actix_web::http::StatusCode::FORBIDDEN,
                "Dilarang",
                "token formulir tidak cocok",
            ),
            HandInError::Refused(e, _) => e,
        }
    }
}

/// An upload against obligation `key` of agreement `id`, start to end: the
/// right and the obligation's state are checked before the body is read,
/// the metadata before the file is stored, and the core records it (the
/// obligation becomes `submitted`). A refusal stores nothing. `gate` sees
/// the text fields before anything is checked or stored (the pages check
/// their CSRF token there).
pub async fn hand_in(
    state: &web::Data<AppState>,
    actor: &crate::app::Actor,
    id: i64,
    key: &str,
    headers: &actix_web::http::header::HeaderMap,
    payload: web::Payload,
    gate: impl FnOnce(&BTreeMap<String, String>) -> bool,
) -> Result<crate::store::submissions::Listed, HandInError> {
    use crate::app::submissions as app;
    let no_fields = |e: ApiError| HandInError::Refused(e, BTreeMap::new());
    let cal = state.calendar();
    let (a, k, c2) = (actor.clone(), key.to_string(), cal.clone());
    let o = super::run(state, move |c| app::may_submit(c, &a, &c2, id, &k))
        .await
        .map_err(no_fields)?;
    let got = receive(state, headers, payload)
        .await
        .map_err(|r| no_fields(r.into()))?;
    let fields = got.fields;
    if !gate(&fields) {
        return Err(HandInError::Csrf);
    }
    let refused_with = |e: ApiError| HandInError::Refused(e, fields.clone());
    let Some((file, file_name)) = got.file else {
        return Err(refused_with(
            refused("file", "pilih berkas yang diunggah").into(),
        ));
    };
    app::check_details(&o, &fields).map_err(|e| refused_with(e.into()))?;
    state.files.put(&file).await.map_err(|m| {
        tracing::error!(error = %m, "evidence file not stored");
        refused_with(ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "Penyimpanan berkas tidak tersedia",
            m,
        ))
    })?;
    let (a, k, sent) = (actor.clone(), key.to_string(), fields.clone());
    super::run(state, move |c| {
        let up = app::Upload {
            sha256: &file.sha256,
            size: file.size as i64,
            media_type: file.kind.media_type(),
            file_name: &file_name,
            details: &sent,
        };
        app::submit(c, &a, &cal, id, &k, &up)
    })
    .await
    .map_err(refused_with)
}

/// A stored evidence file as a download (never shown inline), to a reader
/// who sees an agreement holding it; anyone else is answered "not found".
pub async fn download(
    state: &web::Data<AppState>,
    actor: &crate::app::Actor,
    sha256: &str,
) -> Result<actix_web::HttpResponse, ApiError> {
    if !crate::files::well_formed_sha256(sha256) {
        return Err(ApiError::not_found(format!("berkas {sha256}")));
    }
    let (a, sha) = (actor.clone(), sha256.to_string());
    let (name, size, media_type) =
        super::run(state, move |c| crate::app::submissions::file(c, &a, &sha)).await?;
    let stream = state.files.get(sha256).await.map_err(|m| {
        tracing::error!(error = %m, "evidence file not readable");
        ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "Penyimpanan berkas tidak tersedia",
            m,
        )
    })?;
    let disposition = actix_web::http::header::ContentDisposition {
        disposition: actix_web::http::header::DispositionType::Attachment,
        parameters: vec![actix_web::http::header::DispositionParam::Filename(name)],
    };
    Ok(actix_web::HttpResponse::Ok()
        .content_type(media_type)
        .insert_header(disposition)
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("cache-control", "private, no-store"))
        .no_chunking(size.max(0) as u64)
        .streaming(stream))
}
