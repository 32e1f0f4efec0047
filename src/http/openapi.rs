//! The OpenAPI 3 description of the API: served at `GET /api/v1/openapi.json`
//! (no token needed), and read by the small page at `GET /api/docs`.
//!
//! There is no list of paths here. Each handler carries its `#[utoipa::path]`
//! next to its actix route macro, and the `configure` functions register it
//! once with `.service(handler)` (utoipa-actix-web): registering a route adds
//! its operation. The document is what [`super::configure`] registers, read
//! once from a throwaway `App`; the answers are types that derive their
//! schema (`bodies.rs` and next to their handlers).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use actix_web::dev::{AppService, HttpServiceFactory, ResourceDef};
use actix_web::{get, http::header, HttpResponse};
use serde_json::{json, Value};
use utoipa::openapi::path::Paths;
use utoipa::openapi::schema::{ArrayItems, Object, Schema};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi, ToResponse, ToSchema};
use utoipa_actix_web::{AppExt, OpenApiFactory};

use super::problem::Problem;
use crate::domain::agreement::{AgreementDoc, FieldError};
use crate::domain::status::AgreementStatus;

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

// ---- error answers ---------------------------------------------------------------
//
// Every error is an `ApiError` answered as `Problem`; these name the usual
// ones once, with an example each, for the operations to refer to.

fn problem(status: u16, title: &str, detail: &str) -> Value {
    json!({"type": "about:blank", "title": title, "status": status, "detail": detail})
}

/// Permintaan tidak valid: JSON yang tidak terbaca atau parameter query yang salah.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(400, "Permintaan tidak valid", "limit harus antara 1 dan 500"))
)]
pub struct BadRequest(pub Problem);

/// Belum masuk: token tidak ada, kedaluwarsa atau sudah tidak berlaku.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(401, "Belum masuk", "sertakan token yang masih berlaku: Authorization: Bearer <token> dari POST /api/v1/auth/login"))
)]
pub struct Unauthorized(pub Problem);

/// Tidak diizinkan untuk peran pengguna ini.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(403, "Tidak diizinkan", "peran viewer hanya dapat membaca"))
)]
pub struct Forbidden(pub Problem);

/// Tidak ditemukan, atau tidak terlihat oleh pengguna ini (jawabannya sama).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(404, "Tidak ditemukan", "perjanjian 7 tidak ditemukan"))
)]
pub struct NotFound(pub Problem);

/// Konflik dengan data yang sudah tercatat.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(409, "Konflik", "perjanjian dengan nomor PIHAK KESATU dan PIHAK KEDUA yang sama sudah terdaftar (id 3)"))
)]
pub struct Conflict(pub Problem);

/// Isi permintaan melebihi batas ukuran.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(413, "Isi permintaan terlalu besar", "isi permintaan melebihi batas 1048576 byte"))
)]
pub struct PayloadTooLarge(pub Problem);

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
pub struct Unprocessable(pub Problem);

/// Terlalu banyak percobaan masuk yang gagal; tunggu sesuai `Retry-After`.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Detik sebelum boleh mencoba lagi")),
    example = json!(problem(429, "Terlalu banyak percobaan", "terlalu banyak percobaan masuk yang gagal; coba lagi dalam 840 detik"))
)]
pub struct TooManyRequests(pub Problem);

/// Basis data tidak dapat dihubungi.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(problem(503, "Layanan tidak tersedia", "basis data sedang tidak dapat dihubungi; coba lagi sebentar lagi"))
)]
pub struct Unavailable(pub Problem);

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

// ---- routes registered by hand ---------------------------------------------------

/// Resources registered by hand, with the operations that describe them:
/// for the generic record handlers (`agreements::records!`), which no route
/// macro can annotate. Registered with `.service(...)` like any handler, so
/// the resources and their operations are added in the same call.
pub(super) struct Documented {
    resources: Vec<actix_web::Resource>,
    operations: Vec<Box<dyn OpenApiFactory>>,
}

impl Documented {
    pub(super) fn new(
        resources: Vec<actix_web::Resource>,
        operations: Vec<Box<dyn OpenApiFactory>>,
    ) -> Self {
        Documented {
            resources,
            operations,
        }
    }
}

impl HttpServiceFactory for Documented {
    fn register(self, config: &mut AppService) {
        for r in self.resources {
            r.register(config);
        }
    }
}

impl OpenApiFactory for Documented {
    fn paths(&self) -> Paths {
        let mut paths = Paths::new();
        for op in &self.operations {
            paths.merge(op.paths());
        }
        paths
    }

    fn schemas(&self, schemas: &mut Vec<(String, RefOr<Schema>)>) {
        for op in &self.operations {
            op.schemas(schemas);
        }
    }
}

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
    security(("bearer" = [])),
    tags(
        (name = "agreements", description = "Perjanjian (PKS dan adendum)"),
        (name = "drafting", description = "Penyusunan draf: draf perpanjangan dan adendum, tahap draf → ditinjau → disetujui, versi dan perbandingannya"),
        (name = "records", description = "Catatan di bawah perjanjian: lingkup akses, aplikasi dan PoC, SPTJM/NDA, sertifikat, laporan semester, permohonan perpanjangan"),
        (name = "documents", description = "Dokumen perjanjian (HTML/PDF) dan pemeriksaan konsistensi"),
        (name = "obligations", description = "Kewajiban PIHAK KEDUA, pengecualian, dasbor dan kalender"),
        (name = "holidays", description = "Kalender hari kerja: hari libur nasional dan cuti bersama"),
        (name = "reminders", description = "Outbox pengingat e-mail"),
        (name = "portal", description = "Portal instansi pengguna: undangan, unggahan bukti kewajiban dan pemeriksaannya oleh Dinas, berkas bukti"),
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

/// Answered without a token: what lies outside `/api/v1`, and the gate's
/// own exceptions inside it (`auth::PUBLIC`).
pub(super) fn is_public(path: &str) -> bool {
    !path.starts_with("/api/v1/") || super::auth::PUBLIC.contains(&path)
}

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
        for (path, item) in openapi.paths.paths.iter_mut() {
            if is_public(path) {
                let ops = [
                    &mut item.get,
                    &mut item.put,
                    &mut item.post,
                    &mut item.delete,
                    &mut item.patch,
                ];
                for op in ops.into_iter().flatten() {
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

// ---- the document and its routes ---------------------------------------------------

/// The document: the paths and schemas every `.service(...)` of
/// [`super::configure`] registered, over [`ApiDoc`].
fn build() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(super::configure)
        .split_for_parts();
    Security.modify(&mut doc);
    Flatten.modify(&mut doc);
    doc
}

/// The document as served, the same for the life of the process.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| build().to_json().unwrap_or_default())
}

/// Every documented path, as actix matches it, with its methods.
fn templates() -> &'static [(ResourceDef, Vec<&'static str>)] {
    static TEMPLATES: OnceLock<Vec<(ResourceDef, Vec<&'static str>)>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        build()
            .paths
            .paths
            .into_iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, served)| served.then_some(m))
                .collect();
                (ResourceDef::new(path), methods)
            })
            .collect()
    })
}

/// The methods the document gives for `path` (empty: no such address).
pub(super) fn methods_at(path: &str) -> Vec<&'static str> {
    let mut methods: Vec<&'static str> = templates()
        .iter()
        .filter(|(def, _)| def.is_match(path))
        .flat_map(|(_, m)| m.iter().copied())
        .collect();
    methods.sort_unstable();
    methods.dedup();
    methods
}

#[utoipa::path(
    tag = "system", operation_id = "openapi_json",
    summary = "Dokumen OpenAPI ini",
    description = "Tidak memerlukan token.",
    responses((status = 200, description = "Dokumen OpenAPI 3", content_type = "application/json", body = Object))
)]
#[get("/openapi.json")]
pub(super) async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}

const DOCS_PAGE: &str = include_str!("../../templates/pages/api-docs.html");

#[utoipa::path(
    tag = "system", operation_id = "docs_page",
    summary = "Halaman dokumentasi API",
    description = "Halaman HTML mandiri yang membaca /api/v1/openapi.json. Tidak memerlukan token.",
    responses((status = 200, description = "Halaman HTML", content_type = "text/html", body = String))
)]
#[get("/api/docs")]
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
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(openapi_json);
}
