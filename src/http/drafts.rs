//! Drafting over the API (DESIGN.md §11): renewal and adendum drafts, stage
//! moves, the versions of a draft and their comparison.

use actix_web::{get, post, web};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Principal;
use super::bodies::{Created, Items};
use super::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, Unprocessable,
};
use super::{problem::ApiError, run, AppState, ValidJson};
use crate::app::drafts::{self as app, Comparison, Start, VersionRef};
use crate::app::policy::{self, Action};
use crate::domain::drafting::Stage;
use crate::store::agreements::AgreementView;
use crate::store::versions::VersionInfo;

async fn start(
    state: web::Data<AppState>,
    p: Principal,
    id: i64,
    start: Start,
) -> Result<Created<AgreementView>, ApiError> {
    policy::allow(&p, Action::CreateAgreement)?;
    let cal = state.calendar();
    let view = run(&state, move |c| app::start_from(c, &p, &cal, id, start)).await?;
    Ok(Created::at(format!("/api/v1/agreements/{}", view.id), view))
}

#[utoipa::path(
    tag = "drafting", operation_id = "renewal_draft",
    summary = "Draf perpanjangan (PKS baru dari PKS ini)",
    description = "PKS baru yang diisi dari perjanjian yang sudah ditandatangani ini: para pihak \
        (penanda tangan: pimpinan yang tercatat sekarang), dasar hukum, lingkup akses, data \
        balikan, ketentuan, Juknis dan aplikasi. Tanggal dan nomor surat dikosongkan untuk diisi; \
        SPTJM, NDA, sertifikat dan laporan tidak dibawa. Tahap: `draf`.",
    params(("id" = i64, Path, description = "Id perjanjian yang diperpanjang")),
    responses(
        (status = 201, description = "Draf baru; `Location` menunjuknya",
            headers(("Location" = String, description = "Alamat draf baru")),
            body = AgreementView),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/agreements/{id}/renewal-draft")]
async fn renewal_draft(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
) -> Result<Created<AgreementView>, ApiError> {
    start(state, p, id.into_inner(), Start::Renewal).await
}

#[utoipa::path(
    tag = "drafting", operation_id = "adendum_draft",
    summary = "Draf adendum perjanjian ini",
    description = "Adendum yang menyebut perjanjian ini (`amends`), diisi dari isinya sekarang; \
        yang diubah adendum disunting dari sana. Hanya untuk perjanjian yang sudah ditandatangani.",
    params(("id" = i64, Path, description = "Id perjanjian yang diubah")),
    responses(
        (status = 201, description = "Draf adendum; `Location` menunjuknya",
            headers(("Location" = String, description = "Alamat draf baru")),
            body = AgreementView),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/agreements/{id}/adendum-draft")]
async fn adendum_draft(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
) -> Result<Created<AgreementView>, ApiError> {
    start(state, p, id.into_inner(), Start::Adendum).await
}

/// Pemindahan tahap draf.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct StageBody {
    /// Tahap tujuan.
    to: Stage,
    /// Catatan; wajib bila draf dikembalikan ke `draf`.
    #[serde(default)]
    #[schema(example = "lingkup akses web service belum sesuai surat persetujuan")]
    note: Option<String>,
}

#[utoipa::path(
    tag = "drafting", operation_id = "move_stage",
    summary = "Pindahkan tahap draf",
    description = "`draf` → `ditinjau` (staf hukum mengajukan); `ditinjau` → `disetujui` atau \
        kembali ke `draf` dengan catatan (hanya penyetuju kantor: admin, atau staf hukum yang \
        ditandai penyetuju). Temuan pemeriksaan konsistensi tingkat `error` menghalangi \
        persetujuan (422, setiap temuan menunjuk bagiannya). Penandatanganan dicatat dengan \
        PATCH `signed_on` beserta nomor surat kedua pihak, setelah disetujui.",
    params(("id" = i64, Path, description = "Id perjanjian")),
    request_body(content = StageBody, example = json!({"to": "ditinjau"})),
    responses(
        (status = 200, description = "Perjanjian pada tahap barunya", body = AgreementView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/agreements/{id}/stage")]
async fn stage(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<web::Json<AgreementView>, ApiError> {
    let id = id.into_inner();
    policy::allow(&p, Action::EditAgreement)?;
    let body: StageBody = ValidJson::read(&state, payload).await?;
    let cal = state.calendar();
    let max_term = state.max_term_months;
    let view = run(&state, move |c| {
        let note = body.note.as_deref().unwrap_or_default();
        app::move_stage(c, &p, &cal, id, body.to, note, max_term)
    })
    .await?;
    Ok(web::Json(view))
}

#[utoipa::path(
    tag = "drafting", operation_id = "list_versions",
    summary = "Versi-versi draf",
    description = "Setiap simpanan draf adalah satu versi (seluruh isi perjanjian saat itu), \
        terbaru dahulu.",
    params(("id" = i64, Path, description = "Id perjanjian")),
    responses(
        (status = 200, description = "Versi, terbaru dahulu", body = Items<VersionInfo>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/agreements/{id}/versions")]
async fn versions(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<Items<VersionInfo>>, ApiError> {
    let id = id.into_inner();
    let items = run(&state, move |c| app::versions(c, &p, id)).await?;
    Ok(web::Json(Items::of(items)))
}

fn version_ref(s: &str) -> Result<VersionRef, ApiError> {
    VersionRef::parse(s).ok_or_else(|| {
        ApiError::not_found(format!(
            "versi '{s}' tidak dikenal: nomor versi, `kini` (isi sekarang) atau `asal` (perjanjian yang diubah/diperpanjang)"
        ))
    })
}

#[utoipa::path(
    tag = "drafting", operation_id = "diff_versions",
    summary = "Bandingkan dua versi",
    description = "Medan yang berubah (JSON pointer, sebelum, sesudah), lingkup akses per metode \
        (elemen ditambah/dihapus, kuota), dan teks PKS tingkat kata. `a` dan `b`: nomor versi, \
        `kini`, atau `asal` (PKS yang diubah adendum ini atau yang diperpanjangnya).",
    params(
        ("id" = i64, Path, description = "Id perjanjian"),
        ("a" = String, Path, description = "Versi pertama", example = "1"),
        ("b" = String, Path, description = "Versi kedua", example = "kini"),
    ),
    responses(
        (status = 200, description = "Perbedaannya", body = Comparison),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/agreements/{id}/versions/{a}/diff/{b}")]
async fn diff(
    state: web::Data<AppState>,
    p: Principal,
    path: web::Path<(i64, String, String)>,
) -> Result<web::Json<Comparison>, ApiError> {
    let (id, a, b) = path.into_inner();
    let (a, b) = (version_ref(&a)?, version_ref(&b)?);
    let renderer = state.documents.clone();
    let c = run(&state, move |c| app::compare(c, &p, &renderer, id, a, b)).await?;
    Ok(web::Json(c))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(renewal_draft)
        .service(adendum_draft)
        .service(stage)
        .service(versions)
        .service(diff);
}
