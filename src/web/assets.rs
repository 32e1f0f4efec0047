//! The pages' own files, built into the binary: our stylesheet, htmx (from
//! the npm registry, `htmx.org` 2.0.11, Zero-Clause BSD) and the few lines
//! of script the pages use. Served with an ETag, so a browser asks again
//! cheaply and never keeps an old copy after an upgrade.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "sepakat.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/sepakat.css"),
    },
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/htmx-2.0.11.min.js"),
    },
    Asset {
        name: "sepakat.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/sepakat.js"),
    },
];

static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            let d = Sha256::digest(a.bytes);
            format!(
                "\"{}\"",
                d.iter()
                    .take(8)
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            )
        })
        .collect()
});

async fn serve(req: HttpRequest, name: web::Path<String>) -> HttpResponse {
    let Some(i) = ASSETS.iter().position(|a| a.name == name.as_str()) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("berkas tidak ada");
    };
    let etag = &ETAGS[i];
    let cached = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut r = if cached {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    r.insert_header((header::ETAG, etag.as_str()))
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    if cached {
        return r.finish();
    }
    r.content_type(ASSETS[i].content_type).body(ASSETS[i].bytes)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/aset/{name}", web::get().to(serve));
}
