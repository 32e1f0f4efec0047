//! Forms: every POST carries its session's CSRF token (`_csrf`); one that
//! does not is refused before anything is read or written. Values pass the
//! same text rule as the API's JSON (no control characters, a length cap).

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::session::Visitor;
use super::PageError;
use crate::http::problem::ApiError;

/// The longest value of one field.
const MAX_VALUE: usize = 20_000;

/// A signed-in visitor's form, its CSRF token checked.
pub struct Posted<T>(pub Visitor, pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = PageError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        // Bounded by actix's payload limit (256 KiB): a form's file is text.
        let body = web::Bytes::from_request(req, payload);
        let multipart = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"))
            .then(|| req.headers().clone());
        Box::pin(async move {
            let visitor = visitor.await?;
            let body = body
                .await
                .map_err(|_| ApiError::bad_request("isi formulir terlalu besar atau terputus"))?;
            let fields = match multipart {
                Some(headers) => multipart_fields(&headers, body).await?,
                None => fields(&body)?,
            };
            let sent = fields.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v);
            if !sent.is_some_and(|s| same(s, &visitor.csrf)) {
                return Err(PageError::Csrf);
            }
            // Read from the cleaned fields: a textarea's line ends arrive as
            // CR LF, which the text rule refuses but a reader means as newlines.
            let cleaned = serde_urlencoded::to_string(&fields)
                .map_err(|_| ApiError::bad_request("isi formulir tidak terbaca"))?;
            Ok(Posted(visitor, parse(cleaned.as_bytes())?))
        })
    }
}

/// The form's fields in order, Windows line ends made newlines, each value
/// checked by the text rule.
pub fn fields(body: &[u8]) -> Result<Vec<(String, String)>, PageError> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| ApiError::bad_request("isi formulir tidak terbaca"))?;
    checked(fields)
}

/// The fields of a `multipart/form-data` form (one with a file to read, such
/// as a decree's CSV): a file part is its text, under the part's name. Only
/// text is taken; the pages' uploads of documents go through `http::upload`.
async fn multipart_fields(
    headers: &actix_web::http::header::HeaderMap,
    body: web::Bytes,
) -> Result<Vec<(String, String)>, PageError> {
    use futures_util::StreamExt;
    let unreadable = |_| ApiError::bad_request("isi formulir tidak terbaca");
    let stream =
        futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(body) });
    let mut parts = actix_multipart::Multipart::new(headers, stream);
    let mut fields = Vec::new();
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(unreadable)?;
        let name = part.name().unwrap_or("").to_string();
        let mut data = Vec::new();
        while let Some(chunk) = part.next().await {
            data.extend_from_slice(&chunk.map_err(unreadable)?);
        }
        // Excel on Windows saves "CSV (Comma delimited)" in Windows-1252,
        // which reads every byte: what is not UTF-8 is read that way.
        let text = String::from_utf8(data).unwrap_or_else(|e| {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(e.as_bytes())
                .0
                .into_owned()
        });
        // A spreadsheet's "CSV UTF-8" starts with a byte-order mark.
        fields.push((name, text.trim_start_matches('\u{feff}').to_string()));
    }
    checked(fields)
}

fn checked(mut fields: Vec<(String, String)>) -> Result<Vec<(String, String)>, PageError> {
    for (_, value) in fields.iter_mut() {
        if value.contains('\r') {
            *value = value.replace("\r\n", "\n");
        }
    }
    for (name, value) in &fields {
        crate::domain::text::check_text(value, MAX_VALUE)
            .map_err(|m| ApiError::bad_request(format!("isian {name}: {m}")))?;
    }
    Ok(fields)
}

/// The form as `T` (fields `T` does not name, like `_csrf`, are ignored).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, PageError> {
    serde_urlencoded::from_bytes(body).map_err(|e| {
        PageError::Api(ApiError::bad_request(format!(
            "isi formulir tidak valid: {e}"
        )))
    })
}

/// A number of a GET form's field, where an empty field (a select left at
/// "Semua") is no value at all.
pub fn optional_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let s: Option<String> = serde::Deserialize::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("'{v}' bukan bilangan bulat"))),
    }
}

/// Compares two tokens in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `s` as a query-string value (and a cookie value).
pub fn encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|q| q.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

pub use crate::domain::text::path_segment as segment;

/// The text [`encode`] wrote.
pub fn decode(s: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("x={s}"))
        .ok()
        .and_then(|v| v.into_iter().next())
        .map(|(_, v)| v)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_and_tokens_compare() {
        let m = "Laporan semester 1 2026 tercatat; kewajiban terpenuhi & selesai.";
        assert_eq!(decode(&encode(m)), m);
        assert!(!encode(m).contains(' '));
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
        assert_eq!(segment("nda:ARIS SATRIA"), "nda%3AARIS%20SATRIA");
    }

    #[test]
    fn textarea_line_ends_are_newlines() {
        let f = fields(b"csv=a%0D%0Ab&_csrf=x").unwrap();
        assert_eq!(f[0], ("csv".to_string(), "a\nb".to_string()));
        assert!(
            fields(b"csv=a%0Db%07").is_err(),
            "other control characters stay refused"
        );
    }
}
