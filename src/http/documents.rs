//! Documents of an agreement (HTML and PDF) and its consistency check.

use actix_web::{get, http::header, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

use super::agreements::date_param;
use super::openapi::{BadRequest, NotFound, Unauthorized};
use super::problem::ApiError;
use super::{run, AppState};
use crate::documents::{file_name, DocumentError, Format, Kind};
use crate::domain::check::{Finding, Severity};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DocQuery {
    /// Set templat (`default`, `karanganyar`, `bandung`); bawaan: set kantor PIHAK KESATU.
    set: Option<String>,
    /// Ukuran kertas PDF: `a4` (bawaan) atau `f4`.
    paper: Option<String>,
    /// Tanggal acuan isi dokumen (YYYY-MM-DD); bawaan hari ini (Asia/Jakarta).
    #[param(value_type = Option<chrono::NaiveDate>)]
    as_of: Option<String>,
}

/// The consistency check reads only the date.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct CheckQuery {
    /// Tanggal acuan pemeriksaan (YYYY-MM-DD); bawaan hari ini (Asia/Jakarta).
    #[param(value_type = Option<chrono::NaiveDate>)]
    as_of: Option<String>,
}

impl From<DocumentError> for ApiError {
    fn from(e: DocumentError) -> Self {
        use actix_web::http::StatusCode;
        match e {
            DocumentError::Missing(m) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Data belum lengkap", m.0)
            }
            e @ DocumentError::UnknownSet(..) => ApiError::bad_request(e.to_string()),
            DocumentError::Template(name, message) => {
                tracing::error!(template = %name, error = %message, "document template failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Template dokumen gagal",
                    format!("template {name} tidak dapat dipakai; hubungi administrator"),
                )
            }
        }
    }
}

#[utoipa::path(
    tag = "documents",
    operation_id = "agreement_document",
    summary = "Dokumen perjanjian (HTML atau PDF)",
    description = "PKS, Juknis, SPTJM, NDA, surat permohonan perpanjangan atau adendum, disusun \
        dari data perjanjian. 422 menyebut data yang belum ada.",
    params(
        ("id" = i64, Path, description = "Id perjanjian"),
        ("file" = String, Path,
            description = "Jenis dan format: `pks`, `juknis`, `sptjm`, `nda`, `renewal-letter` \
                atau `adendum`, diakhiri `.html` atau `.pdf`",
            pattern = r"^(pks|juknis|sptjm|nda|renewal[-_]letter|adendum)\.(html|pdf)$",
            example = "pks.pdf"),
        DocQuery,
    ),
    responses(
        (status = 200, description = "Dokumen; PDF sebagai lampiran, HTML ditampilkan",
            headers(("Content-Disposition" = String, description = "Nama berkas")),
            content(("application/pdf"), (String = "text/html"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, description = "Data perjanjian belum lengkap untuk dokumen ini",
            body = super::problem::Problem, content_type = "application/problem+json",
            example = json!({"type": "about:blank", "title": "Data belum lengkap", "status": 422,
                "detail": "Juknis belum dicatat"})),
    )
)]
#[get("/agreements/{id}/documents/{file}")]
async fn document(
    state: web::Data<AppState>,
    principal: super::auth::Principal,
    path: web::Path<(i64, String)>,
    query: web::Query<DocQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, file) = path.into_inner();
    let q = query.into_inner();
    draw(&state, principal, id, &file, q.set, q.paper, q.as_of).await
}

/// One document of an agreement, drawn for `principal` (its personal data
/// masked as their role requires): the API's and the pages' one way.
pub(crate) async fn draw(
    state: &web::Data<AppState>,
    principal: super::auth::Principal,
    id: i64,
    file: &str,
    set: Option<String>,
    paper: Option<String>,
    as_of: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let (kind, format) = file
        .rsplit_once('.')
        .and_then(|(k, f)| Some((Kind::parse(k)?, Format::parse(f)?)))
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "dokumen '{file}' tidak dikenal: pilih pks, juknis, sptjm, nda, renewal-letter atau adendum, dengan akhiran .html atau .pdf"
            ))
        })?;
    let today = date_param("as_of", &as_of)?.unwrap_or_else(crate::today_jakarta);
    let paper = match paper.as_deref() {
        None => crate::documents::model::Paper::A4,
        Some(p) => crate::documents::model::Paper::parse(p).ok_or_else(|| {
            ApiError::bad_request(format!("kertas '{p}' tidak dikenal: a4 atau f4"))
        })?,
    };
    let mut options = crate::documents::DrawOptions {
        set,
        today,
        privacy: principal.entitled(),
        paper,
        draft: false,
    };
    let doc = run(state, move |c| {
        crate::app::agreements::doc(c, &principal, id)
    })
    .await?;
    // A draft prints what is not yet recorded (its signing date, its
    // numbers) as dots to fill, as on a paper draft.
    options.draft = doc.signed_on.is_none();
    let renderer = state.documents.clone();
    let number = doc
        .parties
        .first()
        .and_then(|p| p.number.as_ref())
        .map(|n| n.as_str().to_string());
    let bytes = web::block(move || renderer.draw_up(&doc, kind, format, &options)).await??;
    let disposition = if format == Format::Pdf {
        "attachment"
    } else {
        "inline"
    };
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "{disposition}; filename=\"{}\"",
                file_name(kind, number.as_deref(), id, format)
            ),
        ))
        .body(bytes))
}

/// Hasil pemeriksaan konsistensi.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CheckReport {
    agreement_id: i64,
    as_of: NaiveDate,
    /// Tidak ada temuan `error`.
    consistent: bool,
    /// Jumlah temuan `error`.
    errors: usize,
    /// Jumlah temuan `warning`.
    warnings: usize,
    findings: Vec<Finding>,
}

#[utoipa::path(
    tag = "documents",
    operation_id = "agreement_check",
    summary = "Pemeriksaan konsistensi",
    description = "Temuan `{code, severity, pointer, message}`: layanan atau aplikasi Juknis \
        untuk metode akses yang tidak diberikan PKS, elemen tercantum dua kali, masa berlaku \
        tidak wajar, Juknis bertanggal sebelum PKS, tenggat ISO 27001 lewat tanpa sertifikat, \
        penanda tangan yang sudah diganti.",
    params(("id" = i64, Path, description = "Id perjanjian"), CheckQuery),
    responses(
        (status = 200, description = "Hasil pemeriksaan", body = CheckReport),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/agreements/{id}/check")]
async fn consistency(
    state: web::Data<AppState>,
    principal: super::auth::Principal,
    path: web::Path<i64>,
    query: web::Query<CheckQuery>,
) -> Result<web::Json<CheckReport>, ApiError> {
    let id = path.into_inner();
    let as_of = date_param("as_of", &query.as_of)?.unwrap_or_else(crate::today_jakarta);
    let max_term_months = state.max_term_months;
    let findings = run(&state, move |c| {
        crate::app::agreements::check(c, &principal, id, as_of, max_term_months)
    })
    .await?;
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    Ok(web::Json(CheckReport {
        agreement_id: id,
        as_of,
        consistent: errors == 0,
        errors,
        warnings: findings.len() - errors,
        findings,
    }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(document).service(consistency);
}
