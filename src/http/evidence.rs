//! The portal's work over the API (DESIGN.md §10): invitations, evidence
//! uploads against an obligation, Dukcapil's review, and the files.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Principal;
use super::bodies::{Created, Items};
use super::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, Unprocessable,
};
use super::problem::ApiError;
use super::{run, upload, AppState, ValidJson};
use crate::app::invitations::{self, Invited};
use crate::app::policy::{self, Action};
use crate::app::submissions as app;
use crate::domain::catalog::Role;
use crate::store::submissions::{Listed, Submission};

/// Undangan bagi seorang pengguna instansi PIHAK KEDUA.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct InvitationBody {
    /// Alamat e-mail orang yang diundang; menjadi nama penggunanya.
    #[schema(example = "kepala@dinkominfo.contoh.go.id")]
    email: String,
    /// Nama orang yang diundang.
    #[schema(example = "Drs. Contoh Pimpinan, M.Si")]
    name: String,
    /// Instansi pengguna (PIHAK KEDUA) yang diwakilinya.
    institution_id: i64,
}

#[utoipa::path(
    tag = "portal", operation_id = "invite",
    summary = "Undang pengguna instansi",
    description = "Membuat (atau mengundang ulang) akun `opd` dengan alamat e-mail sebagai nama \
        pengguna dan mengirim e-mail berisi tautan sekali pakai `/undangan/{token}` yang berlaku \
        7 hari, tempat orang itu memilih kata sandinya sendiri. Undangan ulang mengganti tautan \
        sebelumnya. Admin, atau staf hukum untuk instansi pada perjanjian kantornya.",
    request_body(content = InvitationBody,
        example = json!({"email": "kepala@dinkominfo.contoh.go.id", "name": "Contoh Pimpinan",
            "institution_id": 2})),
    responses(
        (status = 201, description = "Undangan terkirim", body = Invited),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/invitations")]
async fn invite(
    state: web::Data<AppState>,
    p: Principal,
    payload: web::Payload,
) -> Result<Created<Invited>, ApiError> {
    policy::allow(&p, Action::CreateUser { role: Role::Opd })?;
    let body: InvitationBody = ValidJson::read(&state, payload).await?;
    let letters = state.letters.clone();
    let invited = run(&state, move |c| {
        let inv = invitations::Invite {
            email: body.email,
            name: body.name,
            institution_id: body.institution_id,
        };
        invitations::invite(c, &p, &letters, &inv)
    })
    .await?;
    state.deliver();
    Ok(Created::at(
        format!("/api/v1/users/{}", invited.user_id),
        invited,
    ))
}

#[utoipa::path(
    tag = "portal", operation_id = "submit_evidence",
    summary = "Unggah bukti kewajiban",
    description = "`multipart/form-data`: bagian `file` (PDF yang tidak terenkripsi, JPEG atau \
        PNG, diperiksa dari isinya; paling besar `SEPAKAT_MAX_UPLOAD`, bawaan 20 MB) dan \
        keterangan menurut jenis kewajiban: laporan semester `nik_hits`, `return_data_rows`; \
        ISO 27001 `number`, `issuer`, `issued_on`, `valid_until`; SPTJM/NDA `signed_on`; \
        permohonan perpanjangan `request_number`, `request_date`. Kewajiban menjadi `submitted` \
        dan pengingatnya berhenti sementara sampai Dinas memeriksanya. Kewajiban yang sudah \
        terpenuhi, dikecualikan atau sedang menunggu pemeriksaan menolak unggahan (409).",
    params(
        ("id" = i64, Path, description = "Id perjanjian"),
        ("key" = String, Path, description = "Kunci kewajiban, mis. `report:2026:1`",
            example = "report:2026:1"),
    ),
    responses(
        (status = 201, description = "Tersimpan; menunggu pemeriksaan", body = Listed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/agreements/{id}/obligations/{key}/submissions")]
async fn submit(
    state: web::Data<AppState>,
    p: Principal,
    path: web::Path<(i64, String)>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<Created<Listed>, ApiError> {
    let (id, key) = path.into_inner();
    let listed = upload::hand_in(&state, &p, id, &key, req.headers(), payload, |_| true).await?;
    Ok(Created::at(
        format!(
            "/api/v1/agreements/{id}/submissions/{}",
            listed.submission.id
        ),
        listed,
    ))
}

#[utoipa::path(
    tag = "portal", operation_id = "list_submissions",
    summary = "Kiriman bukti suatu perjanjian",
    description = "Terbaru lebih dahulu, dengan keputusan Dinas atas masing-masing.",
    params(("id" = i64, Path, description = "Id perjanjian")),
    responses(
        (status = 200, description = "Kiriman", body = Items<Listed>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/agreements/{id}/submissions")]
async fn list(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<Items<Listed>>, ApiError> {
    let id = id.into_inner();
    let items = run(&state, move |c| app::list(c, &p, id)).await?;
    Ok(web::Json(Items::of(items)))
}

/// Penerimaan kiriman.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AcceptBody {
    /// Catatan evaluasi (boleh kosong).
    #[serde(default)]
    #[schema(example = "laporan lengkap dan sesuai format")]
    note: Option<String>,
}

/// Pengembalian kiriman.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ReturnBody {
    /// Alasan pengembalian (wajib); dikirim kepada instansi.
    #[schema(example = "lampiran jumlah akses NIK belum ditandatangani")]
    reason: String,
}

#[utoipa::path(
    tag = "portal", operation_id = "accept_submission",
    summary = "Terima kiriman",
    description = "Kewajiban menjadi `fulfilled` per tanggal unggah: catatan yang memenuhinya \
        (laporan, sertifikat, pernyataan, permohonan perpanjangan) dibuat dari kiriman, dan \
        pengingat yang masih menunggu dibatalkan. Hanya staf Dinas.",
    params(
        ("id" = i64, Path, description = "Id perjanjian"),
        ("sid" = i64, Path, description = "Id kiriman"),
    ),
    request_body = AcceptBody,
    responses(
        (status = 200, description = "Kiriman diterima", body = Submission),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/agreements/{id}/submissions/{sid}/accept")]
async fn accept(
    state: web::Data<AppState>,
    p: Principal,
    path: web::Path<(i64, i64)>,
    payload: web::Payload,
) -> Result<web::Json<Submission>, ApiError> {
    let (id, sid) = path.into_inner();
    policy::allow(&p, Action::ReviewSubmission)?;
    let body: AcceptBody = ValidJson::read(&state, payload).await?;
    let cal = state.calendar();
    let s = run(&state, move |c| {
        app::accept(c, &p, &cal, id, sid, body.note.as_deref())
    })
    .await?;
    Ok(web::Json(s))
}

#[utoipa::path(
    tag = "portal", operation_id = "return_submission",
    summary = "Kembalikan kiriman",
    description = "Kewajiban kembali ke keadaan menurut tanggalnya; pengunggah (atau alamat \
        instansi) diberi tahu lewat e-mail beserta alasannya. Hanya staf Dinas.",
    params(
        ("id" = i64, Path, description = "Id perjanjian"),
        ("sid" = i64, Path, description = "Id kiriman"),
    ),
    request_body = ReturnBody,
    responses(
        (status = 200, description = "Kiriman dikembalikan", body = Submission),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/agreements/{id}/submissions/{sid}/return")]
async fn send_back(
    state: web::Data<AppState>,
    p: Principal,
    path: web::Path<(i64, i64)>,
    payload: web::Payload,
) -> Result<web::Json<Submission>, ApiError> {
    let (id, sid) = path.into_inner();
    policy::allow(&p, Action::ReviewSubmission)?;
    let body: ReturnBody = ValidJson::read(&state, payload).await?;
    let cal = state.calendar();
    let letters = state.letters.clone();
    let r = run(&state, move |c| {
        app::send_back(c, &p, &letters, &cal, id, sid, &body.reason)
    })
    .await?;
    state.deliver();
    Ok(web::Json(r.submission))
}

#[utoipa::path(
    tag = "portal", operation_id = "get_file",
    summary = "Unduh berkas bukti",
    description = "Selalu sebagai unduhan (`Content-Disposition: attachment`), bagi siapa pun \
        yang dapat melihat perjanjian yang memuatnya; selain itu 404.",
    params(("sha256" = String, Path, description = "SHA-256 isi berkas (heksadesimal huruf kecil)")),
    responses(
        (status = 200, description = "Isi berkas", content_type = "application/octet-stream"),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/files/{sha256}")]
async fn file(
    state: web::Data<AppState>,
    p: Principal,
    sha256: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    upload::download(&state, &p, &sha256).await
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(invite)
        .service(submit)
        .service(list)
        .service(accept)
        .service(send_back)
        .service(file);
}
