//! The OpenAPI 3 description of the API, generated from the handlers'
//! `#[utoipa::path]` annotations and the types' `ToSchema`: served at
//! `GET /api/v1/openapi.json` (no token needed), and read by the small page at
//! `GET /api/docs`.
//!
//! The nested record routes are one generic set of handlers
//! (`agreements::records::<R>`), which utoipa cannot annotate; `record_paths!`
//! below writes one doc-only module per record kind instead.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use actix_web::{http::header, web, HttpResponse};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::openapi::schema::{ArrayItems, Object, Schema};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi, ToResponse, ToSchema};

use crate::domain::agreement::{
    AgreementDoc, Application, Certificate, FieldError, Renewal, Report, Scope, Statement,
};
use crate::domain::check::Finding;
use crate::domain::obligations::Obligation;
use crate::domain::status::AgreementStatus;
use crate::store::agreements::AgreementSummary;

// ---- examples ------------------------------------------------------------------

const SEED: &str = include_str!("../../seeds/pks-purbalingga-dinkopukm-2025.json");

/// The example agreement: the Purbalingga 2025 PKS of the seeds.
pub(crate) fn agreement_example() -> Value {
    serde_json::from_str(SEED).unwrap_or(Value::Null)
}

/// A part of the example agreement, by JSON pointer (`/reports/0`).
pub(crate) fn seed_part(pointer: &str) -> Value {
    agreement_example()
        .pointer(pointer)
        .cloned()
        .unwrap_or(Value::Null)
}

/// The example agreement as the API answers it: ids, status, obligations.
pub(crate) fn agreement_view_example() -> Value {
    let mut v = agreement_example();
    if let Value::Object(m) = &mut v {
        m.insert("id".into(), json!(1));
        m.insert("status".into(), json!("active"));
        m.insert("as_of".into(), json!("2026-03-02"));
        m.insert("renewal_deadline".into(), json!("2027-07-16"));
        m.insert("at_risk".into(), json!(false));
        m.insert("obligations".into(), json!([obligation_example()]));
        m.insert("created_at".into(), json!("2025-09-20T08:15:00"));
        m.insert("updated_at".into(), json!("2025-09-20T08:15:00"));
    }
    v
}

fn obligation_example() -> Value {
    json!({
        "kind": "semester_report", "key": "report:2025:2", "subject": "Semester 2 Tahun 2025",
        "due_on": "2026-01-15", "state": "overdue", "fulfilled_on": null, "fulfilled_by": null,
        "waiver_reason": null, "at_risk": false
    })
}

// ---- shapes of the ad-hoc JSON answers ---------------------------------------------

/// Galat dalam format `application/problem+json` (RFC 9457); `detail` dalam
/// bahasa Indonesia.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    kind: String,
    #[schema(example = "Tidak ditemukan")]
    title: String,
    #[schema(example = 404)]
    status: u16,
    #[schema(example = "perjanjian 7 tidak ditemukan")]
    detail: String,
    /// Untuk data yang tidak valid (422): setiap kesalahan dengan JSON pointer ke isi permintaan.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
}

fn problem(status: u16, title: &str, detail: &str) -> Value {
    json!({"type": "about:blank", "title": title, "status": status, "detail": detail})
}

/// Permintaan tidak valid: JSON yang tidak terbaca atau parameter query yang salah.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(400, "Permintaan tidak valid", "limit harus antara 1 dan 500"))
)]
#[allow(dead_code)]
pub struct BadRequest(Problem);

/// Belum masuk: token tidak ada, kedaluwarsa atau sudah tidak berlaku.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(401, "Belum masuk", "sertakan token yang masih berlaku: Authorization: Bearer <token> dari POST /api/v1/auth/login"))
)]
#[allow(dead_code)]
pub struct Unauthorized(Problem);

/// Tidak diizinkan untuk peran pengguna ini.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(403, "Tidak diizinkan", "peran viewer hanya dapat membaca"))
)]
#[allow(dead_code)]
pub struct Forbidden(Problem);

/// Tidak ditemukan, atau tidak terlihat oleh pengguna ini (jawabannya sama).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(404, "Tidak ditemukan", "perjanjian 7 tidak ditemukan"))
)]
#[allow(dead_code)]
pub struct NotFound(Problem);

/// Konflik dengan data yang sudah tercatat.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(409, "Konflik", "perjanjian dengan nomor PIHAK KESATU dan PIHAK KEDUA yang sama sudah terdaftar (id 3)"))
)]
#[allow(dead_code)]
pub struct Conflict(Problem);

/// Isi permintaan melebihi batas ukuran.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(413, "Isi permintaan terlalu besar", "isi permintaan melebihi batas 1048576 byte"))
)]
#[allow(dead_code)]
pub struct PayloadTooLarge(Problem);

/// Data tidak valid: setiap kesalahan dengan JSON pointer ke isi permintaan.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Data tidak valid", "status": 422,
        "detail": "/expires_on: tanggal berakhir tidak boleh sebelum tanggal penandatanganan",
        "errors": [{"pointer": "/expires_on", "message": "tanggal berakhir tidak boleh sebelum tanggal penandatanganan"}]
    })
)]
#[allow(dead_code)]
pub struct Unprocessable(Problem);

/// Terlalu banyak percobaan masuk yang gagal; tunggu sesuai `Retry-After`.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Detik sebelum boleh mencoba lagi")),
    example = json!(problem(429, "Terlalu banyak percobaan", "terlalu banyak percobaan masuk yang gagal; coba lagi dalam 840 detik"))
)]
#[allow(dead_code)]
pub struct TooManyRequests(Problem);

/// Basis data tidak dapat dihubungi.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(503, "Layanan tidak tersedia", "basis data sedang tidak dapat dihubungi; coba lagi sebentar lagi"))
)]
#[allow(dead_code)]
pub struct Unavailable(Problem);

/// Daftar tanpa halaman.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Items<T> {
    items: Vec<T>,
}

/// Satu halaman daftar: `total` semua yang cocok, `limit` dan `offset` yang dipakai.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Page<T> {
    total: i64,
    limit: i64,
    offset: i64,
    items: Vec<T>,
}

/// Satu halaman daftar perjanjian dengan status per `as_of`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AgreementList {
    total: i64,
    limit: i64,
    offset: i64,
    as_of: chrono::NaiveDate,
    items: Vec<AgreementSummary>,
}

/// Server dan basis data menjawab.
#[derive(ToSchema, serde::Serialize)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
    /// Penjadwal pengingat, bila server ini menjalankannya (`serve` tanpa `--no-remind`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduler: Option<crate::reminders::SchedulerStatus>,
}

/// Token akses untuk `Authorization: Bearer <token>`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LoginResponse {
    /// JWT (HS256).
    token: String,
    #[schema(example = "Bearer")]
    token_type: String,
    /// Masa berlaku token dalam detik.
    #[schema(example = 28800)]
    expires_in: u64,
    role: crate::domain::catalog::Role,
    /// Instansi pengguna (OPD) atau kantornya (legal, viewer).
    institution_id: Option<i64>,
}

/// Akun yang terlihat oleh pengguna ini.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UserList {
    total: usize,
    items: Vec<crate::store::users::UserView>,
}

/// Hasil pemeriksaan konsistensi.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CheckReport {
    agreement_id: i64,
    as_of: chrono::NaiveDate,
    /// Tidak ada temuan `error`.
    consistent: bool,
    /// Jumlah temuan `error`.
    errors: usize,
    /// Jumlah temuan `warning`.
    warnings: usize,
    findings: Vec<Finding>,
}

/// Kewajiban satu perjanjian per `as_of`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AgreementObligations {
    agreement_id: i64,
    as_of: chrono::NaiveDate,
    status: AgreementStatus,
    /// Ada laporan semester yang terlambat lebih dari tiga bulan.
    at_risk: bool,
    items: Vec<Obligation>,
}

/// Kewajiban perjanjian setelah perubahan.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ObligationsChanged {
    agreement_id: i64,
    items: Vec<Obligation>,
}

/// Satu kewajiban dengan perjanjian dan instansi PIHAK KEDUA-nya.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct ObligationItem {
    agreement_id: i64,
    /// Judul perjanjian.
    title: String,
    /// Nama instansi PIHAK KEDUA.
    institution: String,
    #[serde(flatten)]
    obligation: Obligation,
}

/// Satu halaman kewajiban lintas perjanjian, urut tenggat.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ObligationList {
    as_of: chrono::NaiveDate,
    total: usize,
    limit: i64,
    offset: i64,
    items: Vec<ObligationItem>,
}

/// Jumlah kewajiban per keadaan dan per jenis.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DashboardObligations {
    /// Jumlah per keadaan (`pending`, `due_soon`, `overdue`, `fulfilled`, `waived`).
    by_state: BTreeMap<String, usize>,
    /// Per jenis kewajiban: jumlah per keadaan.
    by_kind: BTreeMap<String, BTreeMap<String, usize>>,
}

/// Perjanjian berisiko: laporan semester terlambat lebih dari tiga bulan.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AtRiskAgreement {
    agreement_id: i64,
    title: String,
    institution: String,
    /// Tenggat laporan terlambat yang paling lama.
    oldest_overdue_report_due_on: chrono::NaiveDate,
}

/// Perjanjian berisiko: jumlah dan 20 yang paling lama terlambat.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AtRisk {
    total: usize,
    agreements: Vec<AtRiskAgreement>,
}

/// Ringkasan per `as_of`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Dashboard {
    as_of: chrono::NaiveDate,
    /// Jumlah perjanjian per status.
    agreements: BTreeMap<String, usize>,
    obligations: DashboardObligations,
    /// Sepuluh tenggat terdekat yang belum dipenuhi.
    next_deadlines: Vec<ObligationItem>,
    at_risk: AtRisk,
    /// Pesan pengingat per keadaan (`queued`, `sending`, `sent`, `failed`, `cancelled`,
    /// `undeliverable`) untuk perjanjian yang terlihat oleh pembaca.
    reminders: BTreeMap<String, i64>,
}

/// A JSON merge patch (RFC 7396) body: any object.
pub struct MergePatch;

impl utoipa::PartialSchema for MergePatch {
    fn schema() -> RefOr<Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Object)
            .description(Some(
                "JSON merge patch (RFC 7396): kolom yang disebut diganti, `null` mengosongkan, \
                 yang tidak disebut tetap.",
            ))
            .into()
    }
}

impl ToSchema for MergePatch {}

// ---- the nested records ----------------------------------------------------------

/// One doc-only module per record kind: the five operations of
/// `agreements::records::<R>`.
macro_rules! record_paths {
    ($module:ident, $ty:ident, $list:literal, $item:literal, $label:literal, $example:tt) => {
        pub(super) mod $module {
            #[allow(unused_imports)]
            use super::*;

            #[utoipa::path(
                get, path = $list, tag = "records",
                operation_id = concat!("list_", stringify!($module)),
                summary = concat!("Daftar ", $label, " perjanjian"),
                params(("id" = i64, Path, description = "Id perjanjian")),
                responses(
                    (status = 200, description = concat!("Semua ", $label), body = Items<$ty>),
                    (status = 401, response = Unauthorized),
                    (status = 404, response = NotFound),
                )
            )]
            #[allow(dead_code)]
            pub fn list() {}

            #[utoipa::path(
                post, path = $list, tag = "records",
                operation_id = concat!("create_", stringify!($module)),
                summary = concat!("Catat ", $label, " baru"),
                description = "Seluruh perjanjian diperiksa ulang sebelum catatan disimpan.",
                params(("id" = i64, Path, description = "Id perjanjian")),
                request_body(content = $ty, example = json!($example)),
                responses(
                    (status = 201, description = "Tersimpan; `Location` menunjuk catatan baru",
                        body = $ty,
                        headers(("Location" = String, description = "Alamat catatan baru"))),
                    (status = 400, response = BadRequest),
                    (status = 401, response = Unauthorized),
                    (status = 403, response = Forbidden),
                    (status = 404, response = NotFound),
                    (status = 413, response = PayloadTooLarge),
                    (status = 422, response = Unprocessable),
                )
            )]
            #[allow(dead_code)]
            pub fn create() {}

            #[utoipa::path(
                get, path = $item, tag = "records",
                operation_id = concat!("get_", stringify!($module)),
                summary = concat!("Satu ", $label),
                params(
                    ("id" = i64, Path, description = "Id perjanjian"),
                    ("rid" = i64, Path, description = "Id catatan"),
                ),
                responses(
                    (status = 200, description = "Catatan", body = $ty),
                    (status = 401, response = Unauthorized),
                    (status = 404, response = NotFound),
                )
            )]
            #[allow(dead_code)]
            pub fn get() {}

            #[utoipa::path(
                patch, path = $item, tag = "records",
                operation_id = concat!("patch_", stringify!($module)),
                summary = concat!("Ubah ", $label, " (JSON merge patch)"),
                params(
                    ("id" = i64, Path, description = "Id perjanjian"),
                    ("rid" = i64, Path, description = "Id catatan"),
                ),
                request_body(content = MergePatch, description = "Kolom catatan yang diubah"),
                responses(
                    (status = 200, description = "Catatan setelah diubah", body = $ty),
                    (status = 400, response = BadRequest),
                    (status = 401, response = Unauthorized),
                    (status = 403, response = Forbidden),
                    (status = 404, response = NotFound),
                    (status = 413, response = PayloadTooLarge),
                    (status = 422, response = Unprocessable),
                )
            )]
            #[allow(dead_code)]
            pub fn patch() {}

            #[utoipa::path(
                delete, path = $item, tag = "records",
                operation_id = concat!("delete_", stringify!($module)),
                summary = concat!("Hapus ", $label),
                description = "Peran `opd` tidak dapat menghapus catatan.",
                params(
                    ("id" = i64, Path, description = "Id perjanjian"),
                    ("rid" = i64, Path, description = "Id catatan"),
                ),
                responses(
                    (status = 204, description = "Terhapus"),
                    (status = 401, response = Unauthorized),
                    (status = 403, response = Forbidden),
                    (status = 404, response = NotFound),
                    (status = 422, response = Unprocessable),
                )
            )]
            #[allow(dead_code)]
            pub fn delete() {}
        }
    };
}

record_paths!(
    scopes,
    Scope,
    "/api/v1/agreements/{id}/scopes",
    "/api/v1/agreements/{id}/scopes/{rid}",
    "lingkup akses",
    (json!({"method": "web_service", "elements": ["nik", "nama_lengkap"], "daily_quota": 1000}))
);
record_paths!(
    applications,
    Application,
    "/api/v1/agreements/{id}/applications",
    "/api/v1/agreements/{id}/applications/{rid}",
    "aplikasi",
    (seed_part("/applications/0"))
);
record_paths!(
    statements,
    Statement,
    "/api/v1/agreements/{id}/statements",
    "/api/v1/agreements/{id}/statements/{rid}",
    "surat pernyataan (SPTJM/NDA)",
    (seed_part("/statements/1"))
);
record_paths!(
    certificates,
    Certificate,
    "/api/v1/agreements/{id}/certificates",
    "/api/v1/agreements/{id}/certificates/{rid}",
    "sertifikat ISO/IEC 27001",
    (json!({"kind": "iso27001", "number": "IS 771234", "issuer": "BSI Group",
        "issued_on": "2026-02-10", "valid_until": "2029-02-09", "submitted_on": "2026-03-02"}))
);
record_paths!(
    reports,
    Report,
    "/api/v1/agreements/{id}/reports",
    "/api/v1/agreements/{id}/reports/{rid}",
    "laporan semester",
    (json!({"year": 2025, "semester": 2, "submitted_on": "2026-01-12", "channel": "email",
        "nik_hits": 1840, "return_data_rows": 0}))
);
record_paths!(
    renewals,
    Renewal,
    "/api/v1/agreements/{id}/renewals",
    "/api/v1/agreements/{id}/renewals/{rid}",
    "permohonan perpanjangan",
    (json!({"requested_on": "2027-06-30", "request_letter": {"number": "518/2210/VI/2027",
        "date": "2027-06-28", "subject": "Permohonan perpanjangan PKS"}}))
);

// ---- the document ----------------------------------------------------------------

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sepakat API",
        description = "Registri perjanjian pemanfaatan data kependudukan (PKS, Juknis, SPTJM, NDA) \
            Dinas Dukcapil. Semua alamat di bawah `/api/v1` memerlukan token \
            (`Authorization: Bearer <token>` dari `POST /api/v1/auth/login`), kecuali masuk \
            dan dokumen ini; alamat langganan kalender `/kalender/{token}.ics` memakai token \
            rahasia di alamatnya sebagai ganti. Galat dijawab sebagai `application/problem+json` dengan `detail` \
            dalam bahasa Indonesia. Perjanjian yang tidak boleh dilihat pengguna dijawab 404 \
            seperti yang tidak ada; NIK dan nomor telepon disamarkan bagi peran `viewer` dan \
            bagi `opd` di luar instansinya sendiri."
    ),
    paths(
        super::healthz,
        openapi_json,
        docs_page,
        super::auth::login,
        super::users::list,
        super::users::create,
        super::users::get,
        super::users::patch,
        super::feed::create_token,
        super::feed::delete_token,
        super::agreements::list,
        super::agreements::create,
        super::agreements::get,
        super::agreements::patch,
        super::agreements::delete,
        scopes::list,
        scopes::create,
        scopes::get,
        scopes::patch,
        scopes::delete,
        applications::list,
        applications::create,
        applications::get,
        applications::patch,
        applications::delete,
        statements::list,
        statements::create,
        statements::get,
        statements::patch,
        statements::delete,
        certificates::list,
        certificates::create,
        certificates::get,
        certificates::patch,
        certificates::delete,
        reports::list,
        reports::create,
        reports::get,
        reports::patch,
        reports::delete,
        renewals::list,
        renewals::create,
        renewals::get,
        renewals::patch,
        renewals::delete,
        super::audit::history,
        super::documents::document,
        super::documents::consistency,
        super::obligations::for_agreement,
        super::obligations::waive,
        super::obligations::unwaive,
        super::obligations::sam_return,
        super::obligations::list,
        super::obligations::feed,
        super::feed::subscribed,
        super::obligations::dashboard,
        super::obligations::reminders,
        super::obligations::list_holidays,
        super::obligations::holiday_years,
        super::obligations::put_holiday,
        super::obligations::delete_holiday,
        super::parties::list_institutions,
        super::parties::create_institution,
        super::parties::get_institution,
        super::parties::patch_institution,
        super::parties::delete_institution,
        super::parties::list_people,
        super::parties::create_person,
        super::parties::get_person,
        super::parties::patch_person,
        super::parties::delete_person,
        super::parties::list_elements,
    ),
    components(
        schemas(Problem, FieldError, AgreementDoc, AgreementStatus),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            PayloadTooLarge,
            Unprocessable,
            TooManyRequests,
            Unavailable
        )
    ),
    modifiers(&Security, &Flatten),
    security(("bearer" = [])),
    tags(
        (name = "agreements", description = "Perjanjian (PKS dan adendum)"),
        (name = "records", description = "Catatan di bawah perjanjian: lingkup akses, aplikasi dan PoC, SPTJM/NDA, sertifikat, laporan semester, permohonan perpanjangan"),
        (name = "documents", description = "Dokumen perjanjian (HTML/PDF) dan pemeriksaan konsistensi"),
        (name = "obligations", description = "Kewajiban PIHAK KEDUA, pengecualian, dasbor dan kalender"),
        (name = "holidays", description = "Kalender hari kerja: hari libur nasional dan cuti bersama"),
        (name = "reminders", description = "Outbox pengingat e-mail"),
        (name = "institutions", description = "Instansi"),
        (name = "people", description = "Orang: penanda tangan dan narahubung"),
        (name = "elements", description = "Katalog elemen data kependudukan"),
        (name = "users", description = "Akun pengguna dan perannya"),
        (name = "auth", description = "Masuk dan token"),
        (name = "system", description = "Kesehatan layanan dan dokumentasi API"),
    )
)]
pub struct ApiDoc;

/// The bearer token scheme; the paths anyone may call need none.
struct Security;

/// Paths answered without a token (`auth::PUBLIC` and those outside `/api/v1`).
const PUBLIC_PATHS: &[&str] = &[
    "/healthz",
    "/api/v1/auth/login",
    "/api/v1/openapi.json",
    "/api/docs",
    "/kalender/{token}.ics",
];

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "Token dari POST /api/v1/auth/login, berlaku 8 jam; berakhir lebih awal \
                         bila kata sandi, peran atau status akun diubah.",
                    ))
                    .build(),
            ),
        );
        for path in PUBLIC_PATHS {
            if let Some(item) = openapi.paths.paths.get_mut(*path) {
                for op in [&mut item.get, &mut item.post].into_iter().flatten() {
                    op.security = Some(vec![]);
                }
            }
        }
    }
}

/// A struct with a `#[serde(flatten)]` field is an `allOf` of the flattened
/// type and its own fields; since the agreement, institution and person
/// documents refuse unknown fields (`additionalProperties: false`), that
/// `allOf` would match nothing. Every such `allOf`, named or inline (a generic
/// `Page<InstitutionView>` inlines its item), is merged into one object.
struct Flatten;

impl Modify for Flatten {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let objects: BTreeMap<String, Object> = components
            .schemas
            .iter()
            .filter_map(|(name, s)| match s {
                RefOr::T(Schema::Object(o)) => Some((name.clone(), o.clone())),
                _ => None,
            })
            .collect();
        for schema in components.schemas.values_mut() {
            flatten(schema, &objects);
        }
    }
}

fn flatten(schema: &mut RefOr<Schema>, objects: &BTreeMap<String, Object>) {
    let RefOr::T(s) = schema else { return };
    match s {
        Schema::Object(o) => o.properties.values_mut().for_each(|p| flatten(p, objects)),
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                flatten(items, objects);
            }
        }
        Schema::OneOf(o) => o.items.iter_mut().for_each(|i| flatten(i, objects)),
        Schema::AnyOf(o) => o.items.iter_mut().for_each(|i| flatten(i, objects)),
        Schema::AllOf(all) => {
            all.items.iter_mut().for_each(|i| flatten(i, objects));
            let mut merged = Object::new();
            for item in &all.items {
                let part = match item {
                    RefOr::Ref(r) => {
                        match objects.get(r.ref_location.rsplit('/').next().unwrap_or("")) {
                            Some(o) => o.clone(),
                            None => return,
                        }
                    }
                    RefOr::T(Schema::Object(o)) => o.clone(),
                    _ => return,
                };
                merged.properties.extend(part.properties);
                merged.required.extend(part.required);
                merged.description = merged.description.or(part.description);
            }
            merged.description = all.description.clone().or(merged.description);
            *s = Schema::Object(merged);
        }
        _ => {}
    }
}

// ---- the routes ------------------------------------------------------------------

/// The document is the same for the life of the process.
fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_default())
}

#[utoipa::path(
    get, path = "/api/v1/openapi.json", tag = "system", operation_id = "openapi_json",
    summary = "Dokumen OpenAPI ini",
    description = "Tidak memerlukan token.",
    responses((status = 200, description = "Dokumen OpenAPI 3", content_type = "application/json", body = Object))
)]
pub(super) async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}

const DOCS_PAGE: &str = include_str!("../../templates/pages/api-docs.html");

#[utoipa::path(
    get, path = "/api/docs", tag = "system", operation_id = "docs_page",
    summary = "Halaman dokumentasi API",
    description = "Halaman HTML mandiri yang membaca /api/v1/openapi.json. Tidak memerlukan token.",
    responses((status = 200, description = "Halaman HTML", content_type = "text/html", body = String))
)]
pub(super) async fn docs_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        // The page's own script reads the document from this server; nothing
        // else is loaded.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ))
        .body(DOCS_PAGE)
}

/// `GET /api/v1/openapi.json`, inside the `/api/v1` scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(openapi_json));
}
