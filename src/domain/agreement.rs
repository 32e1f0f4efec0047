//! The agreement aggregate in the import format `sepakat.agreement/v1`.
//!
//! Field values are parsed into validated newtypes while deserialising; the
//! rules that span fields live in [`AgreementDoc::check`].

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::catalog::{
    grantable_element, AccessMethod, AgreementKind, CertificateKind, InstitutionKind, PocStatus,
    ReportChannel, Side, StatementKind, TerminationReason,
};
use super::text::{Email, IpAddress, Phone};
use super::{LetterNumber, Nik, Nip};

pub const SCHEMA: &str = "sepakat.agreement/v1";

/// A rule broken at a place in the document, named by a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(
    description = "Aturan yang dilanggar pada satu tempat di data, ditunjuk dengan JSON pointer."
)]
pub struct FieldError {
    /// JSON pointer ke bagian isi permintaan yang salah, mis. `/parties/1/signatory/nik`.
    pub pointer: String,
    /// Penjelasan kesalahan.
    pub message: String,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SchemaTag;

impl TryFrom<String> for SchemaTag {
    type Error = String;
    fn try_from(v: String) -> Result<Self, String> {
        if v == SCHEMA {
            Ok(SchemaTag)
        } else {
            Err(format!("schema harus \"{SCHEMA}\", bukan \"{v}\""))
        }
    }
}

impl From<SchemaTag> for String {
    fn from(_: SchemaTag) -> String {
        SCHEMA.to_string()
    }
}

impl utoipa::PartialSchema for SchemaTag {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some([SCHEMA]))
            .description(Some("Penanda format data; selalu `sepakat.agreement/v1`."))
            .into()
    }
}

impl utoipa::ToSchema for SchemaTag {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("SchemaTag")
    }
}

super::string_newtype!(
    /// A code from the element catalog that a PKS may grant.
    ElementCode,
    schema(
        description = "Kode elemen data dari katalog (GET /api/v1/elements); elemen yang \
            dilindungi (UU 24/2013 Pasal 84) tidak dapat diberikan melalui PKS.",
        pattern = "^[a-z_]+$",
        example = "nama_lengkap",
    )
);

impl ElementCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        grantable_element(raw).map(|def| ElementCode(def.code.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "Satu perjanjian (PKS atau adendum) dalam format impor `sepakat.agreement/v1`."
)]
pub struct AgreementDoc {
    pub schema: SchemaTag,
    pub kind: AgreementKind,
    /// Wajib untuk adendum: PKS yang diubah.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amends: Option<AmendsRef>,
    /// Judul perjanjian.
    pub title: String,
    /// Maksud pemanfaatan data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Tanggal penandatanganan; selama kosong perjanjian berstatus draf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_on: Option<NaiveDate>,
    /// Tempat penandatanganan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_place: Option<String>,
    /// Tanggal berakhir.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated: Option<Termination>,
    /// Tepat satu PIHAK KESATU dan satu PIHAK KEDUA.
    pub parties: Vec<Party>,
    /// Dasar hukum, berurutan.
    #[serde(default)]
    pub legal_bases: Vec<String>,
    /// Surat persetujuan pemanfaatan data dari Ditjen Dukcapil.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_letter: Option<Letter>,
    /// Lingkup akses, satu per metode akses.
    #[serde(default)]
    pub access: Vec<Scope>,
    /// Data balikan yang disampaikan PIHAK KEDUA.
    #[serde(default)]
    pub return_data: Vec<String>,
    #[serde(default)]
    pub terms: Terms,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub juknis: Option<Juknis>,
    /// SPTJM dan NDA yang sudah ditandatangani.
    #[serde(default)]
    pub statements: Vec<Statement>,
    /// Aplikasi PIHAK KEDUA dan PoC-nya.
    #[serde(default)]
    pub applications: Vec<Application>,
    /// Sertifikat ISO/IEC 27001 yang diserahkan.
    #[serde(default)]
    pub certificates: Vec<Certificate>,
    /// Laporan semester yang diterima.
    #[serde(default)]
    pub reports: Vec<Report>,
    /// Permohonan perpanjangan yang diterima.
    #[serde(default)]
    pub renewals: Vec<Renewal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "PKS yang diubah oleh adendum ini.")]
pub struct AmendsRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub number: LetterNumber,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Pengakhiran perjanjian sebelum masa berlakunya habis.")]
pub struct Termination {
    pub on: NaiveDate,
    pub reason: TerminationReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "PIHAK KESATU (Dukcapil) atau PIHAK KEDUA (pengguna) beserta nomor surat perjanjiannya."
)]
pub struct Party {
    pub side: Side,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<LetterNumber>,
    pub institution: InstitutionDoc,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recital: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatory: Option<PersonDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "Instansi: kantor Dukcapil, perangkat daerah (OPD), lembaga atau badan hukum."
)]
pub struct InstitutionDoc {
    /// Id instansi di registri (diisi oleh server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    pub kind: InstitutionKind,
    /// Kode wilayah Kemendagri, mis. `33.03`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    /// Nama instansi induk dalam hierarki wilayah.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    // The document template set this office words its documents with
    // (`templates/documents/<set>`); the default set when absent.
    /// Set templat dokumen yang dipakai kantor ini (`templates/documents/<set>`); set `default` bila kosong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_set: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Orang: penanda tangan, penanggung jawab atau operator.")]
pub struct PersonDoc {
    /// Id orang di registri (diisi oleh server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nip: Option<Nip>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nik: Option<Nik>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Surat: nomor, tanggal dan perihal.")]
pub struct Letter {
    pub number: LetterNumber,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Lingkup akses: satu metode akses dengan elemen data yang diberikan.")]
pub struct Scope {
    /// Id catatan (diisi oleh server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub method: AccessMethod,
    pub elements: Vec<ElementCode>,
    /// Kuota akses per hari.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quota: Option<u32>,
    /// Kuota tidak dibatasi setelah PoC lulus.
    #[serde(default)]
    pub unlimited_after_poc: bool,
}

fn default_iso_months() -> u32 {
    6
}
fn default_report_months() -> Vec<u32> {
    vec![6, 12]
}
fn default_report_days() -> u32 {
    10
}
fn default_renewal_months() -> u32 {
    2
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "Ketentuan tenggat: sertifikat ISO 27001, laporan semester dan permohonan perpanjangan."
)]
pub struct Terms {
    /// Batas penyerahan sertifikat ISO 27001 dalam bulan setelah penandatanganan.
    #[serde(default = "default_iso_months")]
    pub iso27001_months: u32,
    // A fixed ISO 27001 deadline stated in the Juknis, instead of the months.
    /// Batas penyerahan sertifikat ISO 27001 yang ditetapkan dalam Juknis; menggantikan `iso27001_months`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso27001_due_on: Option<NaiveDate>,
    /// Bulan terakhir tiap semester laporan (1-12).
    #[serde(default = "default_report_months")]
    pub report_months: Vec<u32>,
    /// Batas penyampaian laporan, dalam hari kerja setelah semester berakhir (1-60).
    #[serde(default = "default_report_days")]
    pub report_deadline_working_days: u32,
    /// Permohonan perpanjangan paling lambat sekian bulan kalender sebelum berakhir (0-24).
    #[serde(default = "default_renewal_months")]
    pub renewal_notice_months: u32,
    /// Perjanjian memakai card reader/kartu SAM (konfigurasi SAM wajib dikembalikan bila tidak diperpanjang).
    #[serde(default)]
    pub card_reader: bool,
}

impl Default for Terms {
    fn default() -> Self {
        Terms {
            iso27001_months: default_iso_months(),
            iso27001_due_on: None,
            report_months: default_report_months(),
            report_deadline_working_days: default_report_days(),
            renewal_notice_months: default_renewal_months(),
            card_reader: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Petunjuk teknis (Juknis) pelaksanaan PKS.")]
pub struct Juknis {
    /// Nomor Juknis; draf Juknis diberi nomor saat ditandatangani.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<LetterNumber>,
    /// Tanggal Juknis; diisi saat ditandatangani.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Services>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_email: Option<Email>,
    #[serde(default)]
    pub contacts: Vec<JuknisPerson>,
    #[serde(default)]
    pub acknowledged_by: Vec<JuknisPerson>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Jaringan komunikasi data menurut Juknis.")]
pub struct Network {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_lan: Option<IpAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_bearer: Option<Side>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_connection: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Alamat layanan menurut Juknis.")]
pub struct Services {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_portal_ip: Option<IpAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_data_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sam_activation_url: Option<String>,
}

/// A contact person (PIC) or an acknowledger (MENGETAHUI) of the Juknis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Narahubung (PIC) atau pihak yang mengetahui (MENGETAHUI) Juknis.")]
pub struct JuknisPerson {
    pub side: Side,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nip: Option<Nip>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nik: Option<Nik>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Surat pernyataan: SPTJM kepala PIHAK KEDUA atau NDA operator.")]
pub struct Statement {
    /// Id catatan (diisi oleh server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub kind: StatementKind,
    pub signer: PersonDoc,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_on: Option<NaiveDate>,
    /// Bermeterai.
    #[serde(default)]
    pub meterai: bool,
    /// Berlaku juga untuk perpanjangan.
    #[serde(default)]
    pub covers_renewal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Aplikasi PIHAK KEDUA yang memakai hak akses, dengan status PoC-nya.")]
pub struct Application {
    /// Id catatan (diisi oleh server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Nama aplikasi.
    pub name: String,
    pub method: AccessMethod,
    #[serde(default = "Poc::not_requested")]
    pub poc: Poc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Proof of Concept (PoC) aplikasi.")]
pub struct Poc {
    pub status: PocStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_letter: Option<Letter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_on: Option<NaiveDate>,
    /// Surat hasil PoC; wajib bila PoC lulus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_letter: Option<Letter>,
}

impl Poc {
    pub fn not_requested() -> Self {
        Poc {
            status: PocStatus::NotRequested,
            request_letter: None,
            scheduled_on: None,
            result_letter: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "Sertifikat keamanan informasi (ISO/IEC 27001) yang diserahkan PIHAK KEDUA."
)]
pub struct Certificate {
    /// Id catatan (diisi oleh server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub kind: CertificateKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    /// Tanggal diserahkan kepada PIHAK KESATU; memenuhi kewajiban ISO 27001.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Laporan semester pemanfaatan data kependudukan.")]
pub struct Report {
    /// Id catatan (diisi oleh server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub year: i32,
    /// Semester: 1 atau 2.
    pub semester: u8,
    /// Tanggal diserahkan; memenuhi kewajiban laporan semester.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<ReportChannel>,
    /// Jumlah akses NIK dalam semester.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nik_hits: Option<u64>,
    /// Jumlah baris data balikan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_data_rows: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "Permohonan perpanjangan perjanjian.")]
pub struct Renewal {
    /// Id catatan (diisi oleh server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Tanggal permohonan diterima.
    pub requested_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_letter: Option<Letter>,
}

/// Dates the registry works with: agreements after 1945, deadlines before
/// 2100. Anything outside is a typo, and date arithmetic stays bounded.
pub fn plausible_date(d: NaiveDate) -> bool {
    use chrono::Datelike;
    (1945..=2100).contains(&d.year())
}

pub const IMPLAUSIBLE_DATE: &str = "tanggal harus antara tahun 1945 dan 2100";

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl AgreementDoc {
    pub fn party(&self, side: Side) -> Option<&Party> {
        self.parties.iter().find(|p| p.side == side)
    }

    /// Every date in the document with its JSON pointer.
    fn dates(&self) -> Vec<(String, Option<NaiveDate>)> {
        let mut v: Vec<(String, Option<NaiveDate>)> = vec![
            ("/signed_on".into(), self.signed_on),
            ("/expires_on".into(), self.expires_on),
            (
                "/terminated/on".into(),
                self.terminated.as_ref().map(|t| t.on),
            ),
            (
                "/approval_letter/date".into(),
                self.approval_letter.as_ref().and_then(|l| l.date),
            ),
            ("/terms/iso27001_due_on".into(), self.terms.iso27001_due_on),
            (
                "/juknis/date".into(),
                self.juknis.as_ref().and_then(|j| j.date),
            ),
        ];
        for (i, s) in self.statements.iter().enumerate() {
            v.push((format!("/statements/{i}/signed_on"), s.signed_on));
        }
        for (i, a) in self.applications.iter().enumerate() {
            v.push((
                format!("/applications/{i}/poc/scheduled_on"),
                a.poc.scheduled_on,
            ));
            v.push((
                format!("/applications/{i}/poc/request_letter/date"),
                a.poc.request_letter.as_ref().and_then(|l| l.date),
            ));
            v.push((
                format!("/applications/{i}/poc/result_letter/date"),
                a.poc.result_letter.as_ref().and_then(|l| l.date),
            ));
        }
        for (i, c) in self.certificates.iter().enumerate() {
            v.push((format!("/certificates/{i}/issued_on"), c.issued_on));
            v.push((format!("/certificates/{i}/valid_until"), c.valid_until));
            v.push((format!("/certificates/{i}/submitted_on"), c.submitted_on));
        }
        for (i, r) in self.reports.iter().enumerate() {
            v.push((format!("/reports/{i}/submitted_on"), r.submitted_on));
            v.push((format!("/reports/{i}/evaluated_on"), r.evaluated_on));
        }
        for (i, r) in self.renewals.iter().enumerate() {
            v.push((format!("/renewals/{i}/requested_on"), Some(r.requested_on)));
            v.push((
                format!("/renewals/{i}/request_letter/date"),
                r.request_letter.as_ref().and_then(|l| l.date),
            ));
        }
        v
    }

    /// Every cross-field rule; empty when the document is consistent.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        for (pointer, d) in self.dates() {
            if d.is_some_and(|d| !plausible_date(d)) {
                errs.push(FieldError::new(pointer, IMPLAUSIBLE_DATE));
            }
        }
        if !errs.is_empty() {
            // Later rules compute with these dates.
            return errs;
        }
        let mut err = |p: String, m: &str| errs.push(FieldError::new(p, m));

        if blank(&self.title) {
            err("/title".into(), "judul perjanjian wajib diisi");
        }
        match (self.kind, &self.amends) {
            (AgreementKind::Adendum, None) => err(
                "/amends".into(),
                "adendum harus menyebut nomor PKS yang diubah (amends.number)",
            ),
            (AgreementKind::Pks, Some(_)) => err(
                "/amends".into(),
                "hanya adendum yang dapat mengubah PKS lain; gunakan kind \"adendum\"",
            ),
            _ => {}
        }
        for side in Side::ALL {
            let n = self.parties.iter().filter(|p| p.side == *side).count();
            if n != 1 {
                err(
                    "/parties".into(),
                    &format!(
                        "perjanjian harus memuat tepat satu {} (ditemukan {n})",
                        side.label()
                    ),
                );
            }
        }
        for (i, p) in self.parties.iter().enumerate() {
            if blank(&p.institution.name) {
                err(
                    format!("/parties/{i}/institution/name"),
                    "nama instansi wajib diisi",
                );
            }
            if p.side == Side::First && !p.institution.kind.is_dukcapil() {
                err(
                    format!("/parties/{i}/institution/kind"),
                    "PIHAK KESATU harus Ditjen Dukcapil atau Dinas Dukcapil",
                );
            }
            if let Some(s) = &p.signatory {
                if blank(&s.name) {
                    err(
                        format!("/parties/{i}/signatory/name"),
                        "nama penanda tangan wajib diisi",
                    );
                }
            }
        }
        if let (Some(s), Some(e)) = (self.signed_on, self.expires_on) {
            if e < s {
                err(
                    "/expires_on".into(),
                    "tanggal berakhir tidak boleh sebelum tanggal penandatanganan",
                );
            }
        }
        if let (Some(t), Some(s)) = (&self.terminated, self.signed_on) {
            if t.on < s {
                err(
                    "/terminated/on".into(),
                    "tanggal pengakhiran tidak boleh sebelum tanggal penandatanganan",
                );
            }
        }
        if self.terminated.is_some() && self.signed_on.is_none() {
            err(
                "/terminated".into(),
                "perjanjian yang belum ditandatangani tidak dapat diakhiri",
            );
        }
        if let (Some(j), Some(s)) = (self.juknis.as_ref().and_then(|j| j.date), self.signed_on) {
            if j < s {
                err(
                    "/juknis/date".into(),
                    "Juknis tidak boleh bertanggal sebelum PKS ditandatangani",
                );
            }
        }

        let mut methods = HashSet::new();
        for (i, scope) in self.access.iter().enumerate() {
            if !methods.insert(scope.method) {
                err(
                    format!("/access/{i}/method"),
                    "metode akses ini sudah tercantum",
                );
            }
            if scope.elements.is_empty() {
                err(
                    format!("/access/{i}/elements"),
                    "lingkup akses harus memuat minimal satu elemen data",
                );
            }
            let mut seen = HashSet::new();
            for (j, el) in scope.elements.iter().enumerate() {
                if !seen.insert(el) {
                    err(
                        format!("/access/{i}/elements/{j}"),
                        "elemen data tercantum dua kali",
                    );
                }
            }
        }
        for (i, app) in self.applications.iter().enumerate() {
            if blank(&app.name) {
                err(
                    format!("/applications/{i}/name"),
                    "nama aplikasi wajib diisi",
                );
            }
            if !self.access.is_empty() && !methods.contains(&app.method) {
                err(
                    format!("/applications/{i}/method"),
                    "metode akses aplikasi tidak termasuk dalam lingkup akses PKS",
                );
            }
            if app.poc.status == PocStatus::Passed && app.poc.result_letter.is_none() {
                err(
                    format!("/applications/{i}/poc/result_letter"),
                    "PoC yang lulus harus disertai surat hasil PoC",
                );
            }
        }

        let t = &self.terms;
        if t.report_months.iter().any(|m| !(1..=12).contains(m)) {
            err(
                "/terms/report_months".into(),
                "bulan laporan harus antara 1 dan 12",
            );
        }
        if t.renewal_notice_months > 24 {
            err(
                "/terms/renewal_notice_months".into(),
                "batas permohonan perpanjangan maksimum 24 bulan",
            );
        }
        if t.iso27001_months > 60 {
            err(
                "/terms/iso27001_months".into(),
                "batas penyerahan sertifikat ISO 27001 maksimum 60 bulan",
            );
        }
        if t.report_deadline_working_days == 0 || t.report_deadline_working_days > 60 {
            err(
                "/terms/report_deadline_working_days".into(),
                "batas penyampaian laporan harus 1-60 hari kerja",
            );
        }

        for (i, s) in self.statements.iter().enumerate() {
            if blank(&s.signer.name) {
                err(
                    format!("/statements/{i}/signer/name"),
                    "nama penanda tangan wajib diisi",
                );
            }
        }
        for (i, c) in self.certificates.iter().enumerate() {
            if let (Some(a), Some(b)) = (c.issued_on, c.valid_until) {
                if b < a {
                    err(
                        format!("/certificates/{i}/valid_until"),
                        "masa berlaku sertifikat berakhir sebelum diterbitkan",
                    );
                }
            }
        }
        let mut semesters = HashSet::new();
        for (i, r) in self.reports.iter().enumerate() {
            if !(1..=2).contains(&r.semester) {
                err(format!("/reports/{i}/semester"), "semester harus 1 atau 2");
            }
            if !(2000..=2100).contains(&r.year) {
                err(format!("/reports/{i}/year"), "tahun laporan tidak valid");
            }
            if !semesters.insert((r.year, r.semester)) {
                err(
                    format!("/reports/{i}"),
                    "laporan untuk semester ini sudah tercatat",
                );
            }
        }
        errs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../seeds/pks-purbalingga-dinkopukm-2025.json");

    fn example() -> AgreementDoc {
        serde_json::from_str(EXAMPLE).expect("seed parses")
    }

    #[test]
    fn seed_parses_and_is_consistent() {
        let doc = example();
        assert_eq!(doc.check(), vec![]);
        assert_eq!(doc.access[0].elements.len(), 8);
        assert_eq!(
            doc.party(Side::Second)
                .unwrap()
                .number
                .as_ref()
                .unwrap()
                .as_str(),
            "518/4180/IX/2025"
        );
    }

    #[test]
    fn cross_field_rules_name_the_field() {
        let mut doc = example();
        doc.expires_on = NaiveDate::from_ymd_opt(2024, 1, 1);
        doc.juknis.as_mut().unwrap().date = NaiveDate::from_ymd_opt(2025, 9, 1);
        let pointers: Vec<_> = doc.check().into_iter().map(|e| e.pointer).collect();
        assert_eq!(pointers, vec!["/expires_on", "/juknis/date"]);
    }

    #[test]
    fn dates_outside_the_working_range_are_refused() {
        let mut doc = example();
        doc.expires_on = NaiveDate::from_ymd_opt(20270, 9, 16);
        doc.reports.push(Report {
            id: None,
            year: 2026,
            semester: 1,
            submitted_on: NaiveDate::from_ymd_opt(1900, 1, 1),
            channel: None,
            nik_hits: None,
            return_data_rows: None,
            evaluated_on: None,
            evaluation: None,
        });
        let pointers: Vec<_> = doc.check().into_iter().map(|e| e.pointer).collect();
        assert_eq!(pointers, vec!["/expires_on", "/reports/0/submitted_on"]);
    }

    #[test]
    fn protected_element_is_refused_with_reason() {
        let json = EXAMPLE.replacen("\"jenis_pekerjaan\"", "\"sidik_jari\"", 1);
        let err = serde_json::from_str::<AgreementDoc>(&json)
            .unwrap_err()
            .to_string();
        assert!(err.contains("Pasal 84"), "{err}");
    }
}
