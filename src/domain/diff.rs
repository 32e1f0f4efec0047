//! What changed between two versions of an agreement: its fields (by JSON
//! pointer), its access scope (elements and quota per access method) and
//! the words of its PKS text. Pure: the caller loads both versions and
//! renders both texts.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::Duration;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use super::agreement::{AgreementDoc, Scope};
use super::catalog::{element, AccessMethod};

/// One field whose value differs between the two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(description = "Satu isian yang nilainya berbeda antara kedua versi.")]
pub struct FieldChange {
    /// JSON pointer ke isian, mis. `/parties/1/number`.
    #[schema(example = "/parties/1/number")]
    pub field: String,
    /// Nama isian dalam bahasa Indonesia, mis. "Nomor surat PIHAK KEDUA".
    #[schema(example = "Nomor surat PIHAK KEDUA")]
    pub label: String,
    /// Nilai pada versi lama; kosong bila isian belum ada.
    pub before: Option<String>,
    /// Nilai pada versi baru; kosong bila isian dihapus.
    pub after: Option<String>,
}

/// The daily quota of one access method, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(description = "Perubahan kuota akses harian satu metode akses.")]
pub struct QuotaChange {
    /// Kuota akses per hari pada versi lama.
    pub before: Option<u32>,
    /// Kuota akses per hari pada versi baru.
    pub after: Option<u32>,
    /// Versi lama: kuota tidak dibatasi setelah PoC lulus.
    pub unlimited_after_poc_before: bool,
    /// Versi baru: kuota tidak dibatasi setelah PoC lulus.
    pub unlimited_after_poc_after: bool,
}

/// What changed in the scope of one access method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(description = "Perubahan lingkup akses satu metode akses: elemen data dan kuota.")]
pub struct ScopeChange {
    /// Metode akses.
    pub method: AccessMethod,
    /// Kode elemen data yang ditambahkan pada versi baru.
    pub added: Vec<String>,
    /// Kode elemen data yang dihapus dari versi lama.
    pub removed: Vec<String>,
    /// Perubahan kuota harian; kosong bila kuota tidak berubah.
    pub quota: Option<QuotaChange>,
}

/// Whether a piece of text is in both versions or in one only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(
    description = "`same`: ada di kedua versi; `added`: hanya di versi baru; `removed`: hanya di versi lama."
)]
pub enum TextOp {
    Same,
    Added,
    Removed,
}

/// A run of text with what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(description = "Potongan teks PKS beserta perubahannya.")]
pub struct TextPart {
    /// Sama, ditambahkan atau dihapus.
    pub op: TextOp,
    /// Teks apa adanya, termasuk spasi dan baris baru.
    pub text: String,
}

/// Everything that differs between two versions of an agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(description = "Perbedaan dua versi perjanjian: isian, lingkup akses dan teks PKS.")]
pub struct DocDiff {
    /// Isian yang berubah (selain lingkup akses), urut seperti dalam dokumen.
    pub fields: Vec<FieldChange>,
    /// Lingkup akses yang berubah, satu per metode akses.
    pub scope: Vec<ScopeChange>,
    /// Teks PKS kata demi kata.
    pub text: Vec<TextPart>,
}

impl DocDiff {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && self.scope.is_empty()
            && self.text.iter().all(|p| p.op == TextOp::Same)
    }
}

/// Every difference between `a` (the older version) and `b` (the newer).
pub fn compare(a: &AgreementDoc, b: &AgreementDoc, a_text: &str, b_text: &str) -> DocDiff {
    DocDiff {
        fields: fields(a, b),
        scope: scope(a, b),
        text: words(a_text, b_text),
    }
}

/// The Indonesian label of an element code; the code itself when the
/// catalog does not know it.
pub fn element_label(code: &str) -> &str {
    element(code).map_or(code, |def| def.label)
}

// ---------------------------------------------------------------- fields

/// The scalar fields that differ, by JSON pointer, in `b`'s document order
/// followed by those only in `a`. The access scope (see [`scope`]), the
/// schema tag and every server-assigned `id` are left out.
pub fn fields(a: &AgreementDoc, b: &AgreementDoc) -> Vec<FieldChange> {
    let flat_a = flatten(a);
    let flat_b = flatten(b);
    let in_a: HashMap<&str, &str> = flat_a
        .iter()
        .map(|(p, v)| (p.as_str(), v.as_str()))
        .collect();
    let in_b: HashSet<&str> = flat_b.iter().map(|(p, _)| p.as_str()).collect();

    let mut out = Vec::new();
    for (pointer, after) in &flat_b {
        let before = in_a.get(pointer.as_str()).copied();
        if before != Some(after.as_str()) {
            out.push(FieldChange {
                label: label(pointer, b, a),
                field: pointer.clone(),
                before: before.map(str::to_string),
                after: Some(after.clone()),
            });
        }
    }
    for (pointer, before) in &flat_a {
        if !in_b.contains(pointer.as_str()) {
            out.push(FieldChange {
                label: label(pointer, a, b),
                field: pointer.clone(),
                before: Some(before.clone()),
                after: None,
            });
        }
    }
    out
}

/// The document's scalars as (JSON pointer, display string), in the order
/// serde writes them (struct field order; `serde_json::Value` would sort
/// object keys).
fn flatten(doc: &AgreementDoc) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // Serialising a document of plain structs, strings and numbers cannot
    // fail; should it ever, the comparison is empty rather than a panic.
    if let Ok(json) = serde_json::to_vec(doc) {
        let mut de = serde_json::Deserializer::from_slice(&json);
        let seed = Flatten {
            pointer: String::new(),
            top: true,
            out: &mut out,
        };
        if seed.deserialize(&mut de).is_err() {
            out.clear();
        }
    }
    out
}

/// Walks a JSON value as it is read, pushing each scalar under its pointer.
struct Flatten<'o> {
    pointer: String,
    top: bool,
    out: &'o mut Vec<(String, String)>,
}

impl Flatten<'_> {
    fn leaf<E>(self, value: String) -> Result<(), E> {
        self.out.push((self.pointer, value));
        Ok(())
    }
}

/// A key as a JSON pointer segment (RFC 6901).
fn push_segment(pointer: &mut String, key: &str) {
    pointer.push('/');
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Flatten<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Flatten<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.leaf(v.to_string())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.leaf(v.to_string())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.leaf(v.to_string())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.leaf(v.to_string())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.leaf(v.to_string())
    }

    fn visit_string<E>(self, v: String) -> Result<(), E> {
        self.leaf(v)
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Flatten { pointer, out, .. } = self;
        let mut i = 0usize;
        loop {
            let mut p = pointer.clone();
            p.push('/');
            p.push_str(&i.to_string());
            let seed = Flatten {
                pointer: p,
                top: false,
                out: &mut *out,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Flatten { pointer, top, out } = self;
        while let Some(key) = map.next_key::<String>()? {
            // Server-assigned ids, the format tag and the access scope
            // (compared by `scope`) are not fields a reader edits.
            let skip = key == "id" || (top && (key == "schema" || key == "access"));
            if skip {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let mut p = pointer.clone();
            push_segment(&mut p, &key);
            map.next_value_seed(Flatten {
                pointer: p,
                top: false,
                out: &mut *out,
            })?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- labels

/// The Indonesian label of a pointer. `doc` is the version that has the
/// field (its parties name the side), `other` the fallback.
fn label(pointer: &str, doc: &AgreementDoc, other: &AgreementDoc) -> String {
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    known_label(&segs, doc, other).unwrap_or_else(|| segs.join(" › "))
}

/// "ke-N" for a zero-based index segment.
fn nth(index: &str) -> Option<String> {
    index
        .parse::<usize>()
        .ok()
        .map(|i| format!("ke-{}", i.saturating_add(1)))
}

fn known_label(segs: &[&str], doc: &AgreementDoc, other: &AgreementDoc) -> Option<String> {
    let plain = |s: &str| Some(s.to_string());
    match segs {
        ["title"] => plain("Judul"),
        ["kind"] => plain("Jenis perjanjian"),
        ["amends", "number"] => plain("Nomor PKS yang diubah"),
        ["purpose"] => plain("Maksud"),
        ["signed_on"] => plain("Tanggal penandatanganan"),
        ["signed_place"] => plain("Tempat penandatanganan"),
        ["expires_on"] => plain("Tanggal berakhir"),
        ["terminated", "on"] => plain("Tanggal pengakhiran"),
        ["terminated", "reason"] => plain("Alasan pengakhiran"),
        ["terminated", "note"] => plain("Catatan pengakhiran"),
        ["parties", i, rest @ ..] => party_label(i, rest, doc, other),
        ["legal_bases", i] => Some(format!("Dasar hukum {}", nth(i)?)),
        ["approval_letter", field] => {
            letter_label(field).map(|l| format!("{l} persetujuan Ditjen Dukcapil"))
        }
        ["return_data", i] => Some(format!("Data balikan {}", nth(i)?)),
        ["terms", rest @ ..] => terms_label(rest),
        ["juknis", rest @ ..] => juknis_label(rest),
        ["statements", i, rest @ ..] => {
            let whose = format!("surat pernyataan {}", nth(i)?);
            match rest {
                ["kind"] => Some(format!("Jenis {whose}")),
                ["signed_on"] => Some(format!("Tanggal {whose}")),
                ["meterai"] => Some(format!("Meterai {whose}")),
                ["covers_renewal"] => Some(format!("{whose} berlaku untuk perpanjangan")),
                ["signer", field] => {
                    person_label(field).map(|l| format!("{l} penanda tangan {whose}"))
                }
                _ => None,
            }
        }
        ["applications", i, rest @ ..] => {
            let whose = format!("aplikasi {}", nth(i)?);
            match rest {
                ["name"] => Some(format!("Nama {whose}")),
                ["method"] => Some(format!("Metode akses {whose}")),
                ["poc", "status"] => Some(format!("Status PoC {whose}")),
                ["poc", "scheduled_on"] => Some(format!("Jadwal PoC {whose}")),
                ["poc", "request_letter", field] => {
                    letter_label(field).map(|l| format!("{l} permohonan PoC {whose}"))
                }
                ["poc", "result_letter", field] => {
                    letter_label(field).map(|l| format!("{l} hasil PoC {whose}"))
                }
                _ => None,
            }
        }
        ["certificates", i, field] => {
            let l = match *field {
                "kind" => "Jenis",
                "number" => "Nomor",
                "issuer" => "Penerbit",
                "issued_on" => "Tanggal terbit",
                "valid_until" => "Masa berlaku",
                "submitted_on" => "Tanggal penyerahan",
                _ => return None,
            };
            Some(format!("{l} sertifikat {}", nth(i)?))
        }
        ["reports", i, field] => {
            let l = match *field {
                "year" => "Tahun",
                "semester" => "Semester",
                "submitted_on" => "Tanggal penyerahan",
                "channel" => "Cara penyampaian",
                "nik_hits" => "Jumlah akses NIK",
                "return_data_rows" => "Jumlah baris data balikan",
                "evaluated_on" => "Tanggal evaluasi",
                "evaluation" => "Hasil evaluasi",
                _ => return None,
            };
            Some(format!("{l} laporan {}", nth(i)?))
        }
        ["renewals", i, rest @ ..] => {
            let whose = format!("permohonan perpanjangan {}", nth(i)?);
            match rest {
                ["requested_on"] => Some(format!("Tanggal {whose}")),
                ["request_letter", field] => letter_label(field).map(|l| format!("{l} {whose}")),
                _ => None,
            }
        }
        _ => None,
    }
}

fn party_label(i: &str, rest: &[&str], doc: &AgreementDoc, other: &AgreementDoc) -> Option<String> {
    let index = i.parse::<usize>().ok()?;
    let who = doc
        .parties
        .get(index)
        .or_else(|| other.parties.get(index))
        .map(|p| p.side.label().to_string())
        .unwrap_or_else(|| format!("pihak ke-{}", index.saturating_add(1)));
    let l = match rest {
        ["side"] => "Kedudukan".to_string(),
        ["number"] => "Nomor surat".to_string(),
        ["recital"] => "Uraian kedudukan".to_string(),
        ["institution", field] => {
            let l = match *field {
                "name" => "Nama instansi",
                "short_name" => "Nama singkat instansi",
                "kind" => "Jenis instansi",
                "region_code" => "Kode wilayah instansi",
                "address" => "Alamat instansi",
                "phone" => "Telepon instansi",
                "email" => "Surel instansi",
                "parent" => "Instansi induk",
                "document_set" => "Set templat dokumen",
                _ => return None,
            };
            l.to_string()
        }
        ["signatory", "name"] => "Penanda tangan".to_string(),
        ["signatory", field] => format!("{} penanda tangan", person_label(field)?),
        _ => return None,
    };
    Some(format!("{l} {who}"))
}

fn person_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "side" => "Pihak",
        "name" => "Nama",
        "position" => "Jabatan",
        "nip" => "NIP",
        "nik" => "NIK",
        "address" => "Alamat",
        "phone" => "Telepon",
        "email" => "Surel",
        _ => return None,
    })
}

fn letter_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "number" => "Nomor surat",
        "date" => "Tanggal surat",
        "subject" => "Perihal surat",
        _ => return None,
    })
}

fn terms_label(rest: &[&str]) -> Option<String> {
    let plain = |s: &str| Some(s.to_string());
    match rest {
        ["iso27001_months"] => plain("Batas penyerahan sertifikat ISO 27001 (bulan)"),
        ["iso27001_due_on"] => plain("Tanggal batas penyerahan sertifikat ISO 27001"),
        ["report_months", i] => Some(format!("Bulan laporan semester {}", nth(i)?)),
        ["report_deadline_working_days"] => plain("Batas penyampaian laporan (hari kerja)"),
        ["renewal_notice_months"] => {
            plain("Batas permohonan perpanjangan (bulan sebelum berakhir)")
        }
        ["card_reader"] => plain("Memakai card reader/kartu SAM"),
        _ => None,
    }
}

fn juknis_label(rest: &[&str]) -> Option<String> {
    let plain = |s: &str| Some(s.to_string());
    match rest {
        ["number"] => plain("Nomor Juknis"),
        ["date"] => plain("Tanggal Juknis"),
        ["place"] => plain("Tempat penandatanganan Juknis"),
        ["report_email"] => plain("Surel penyampaian laporan (Juknis)"),
        ["network", "ip_lan"] => plain("IP LAN (Juknis)"),
        ["network", "bandwidth"] => plain("Bandwidth (Juknis)"),
        ["network", "cost_bearer"] => plain("Penanggung biaya jaringan (Juknis)"),
        ["network", "estimated_connection"] => plain("Perkiraan waktu koneksi (Juknis)"),
        ["services", "web_portal_ip"] => plain("IP Web Portal (Juknis)"),
        ["services", "return_data_url"] => plain("Alamat data balikan (Juknis)"),
        ["services", "sam_activation_url"] => plain("Alamat aktivasi SAM (Juknis)"),
        ["contacts", i, field] => Some(format!(
            "{} narahubung {} (Juknis)",
            person_label(field)?,
            nth(i)?
        )),
        ["acknowledged_by", i, field] => Some(format!(
            "{} pihak yang mengetahui {} (Juknis)",
            person_label(field)?,
            nth(i)?
        )),
        _ => None,
    }
}

// ---------------------------------------------------------------- scope

/// The access methods whose elements, daily quota or unlimited-after-PoC
/// flag changed: in `b`'s order, then the methods only in `a`.
pub fn scope(a: &AgreementDoc, b: &AgreementDoc) -> Vec<ScopeChange> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for new in &b.access {
        if !seen.insert(new.method) {
            continue;
        }
        let old = a.access.iter().find(|s| s.method == new.method);
        out.extend(scope_change(new.method, old, Some(new)));
    }
    for old in &a.access {
        if seen.insert(old.method) {
            out.extend(scope_change(old.method, Some(old), None));
        }
    }
    out
}

fn codes(scope: Option<&Scope>) -> Vec<&str> {
    scope.map_or_else(Vec::new, |s| {
        s.elements.iter().map(|e| e.as_str()).collect()
    })
}

fn scope_change(method: AccessMethod, a: Option<&Scope>, b: Option<&Scope>) -> Option<ScopeChange> {
    let (old, new) = (codes(a), codes(b));
    let old_set: HashSet<&str> = old.iter().copied().collect();
    let new_set: HashSet<&str> = new.iter().copied().collect();
    let added: Vec<String> = new
        .iter()
        .filter(|c| !old_set.contains(*c))
        .map(|c| c.to_string())
        .collect();
    let removed: Vec<String> = old
        .iter()
        .filter(|c| !new_set.contains(*c))
        .map(|c| c.to_string())
        .collect();

    // A method on one side only counts as no quota, limited, on the other.
    let quota = QuotaChange {
        before: a.and_then(|s| s.daily_quota),
        after: b.and_then(|s| s.daily_quota),
        unlimited_after_poc_before: a.is_some_and(|s| s.unlimited_after_poc),
        unlimited_after_poc_after: b.is_some_and(|s| s.unlimited_after_poc),
    };
    let quota = (quota.before != quota.after
        || quota.unlimited_after_poc_before != quota.unlimited_after_poc_after)
        .then_some(quota);

    if added.is_empty() && removed.is_empty() && quota.is_none() {
        return None;
    }
    Some(ScopeChange {
        method,
        added,
        removed,
        quota,
    })
}

// ---------------------------------------------------------------- text

/// Past this the word diff stops looking for the shortest edit and settles
/// for a valid, coarser one. A real revision of a PKS (~3,000 words) takes
/// well under a millisecond in a release build; two texts that share next
/// to nothing would otherwise take tens of milliseconds.
const TEXT_DIFF_TIMEOUT: Duration = Duration::from_millis(5);

/// A word-level diff of `a` (older) and `b` (newer). Whitespace is kept:
/// the `Same` and `Added` parts concatenated give `b`, the `Same` and
/// `Removed` parts give `a`. Consecutive parts never share an op, and a
/// replaced phrase reads as one removed part followed by one added part
/// ("8 (delapan)" → "9 (sembilan)"), not word by word.
pub fn words(a: &str, b: &str) -> Vec<TextPart> {
    let diff = TextDiff::configure()
        .timeout(TEXT_DIFF_TIMEOUT)
        .diff_words(a, b);
    let mut raw: Vec<TextPart> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => TextOp::Same,
            ChangeTag::Insert => TextOp::Added,
            ChangeTag::Delete => TextOp::Removed,
        };
        push_part(&mut raw, op, change.value());
    }
    join_replacements(raw)
}

fn push_part(parts: &mut Vec<TextPart>, op: TextOp, text: &str) {
    if text.is_empty() {
        return;
    }
    match parts.last_mut() {
        Some(last) if last.op == op => last.text.push_str(text),
        _ => parts.push(TextPart {
            op,
            text: text.to_string(),
        }),
    }
}

/// Joins changes separated only by whitespace into one removed and one
/// added part: the whitespace between them belongs to both texts, so it
/// goes into both. A run that only adds (or only removes) is left as is.
fn join_replacements(raw: Vec<TextPart>) -> Vec<TextPart> {
    let mut out: Vec<TextPart> = Vec::with_capacity(raw.len());
    // The run of changes being gathered: where it starts in `raw`, and
    // whether it has removed and added words of its own.
    let mut start: Option<usize> = None;
    let (mut has_removed, mut has_added) = (false, false);

    let flush = |out: &mut Vec<TextPart>, run: &[TextPart], has_removed: bool, has_added: bool| {
        if has_removed && has_added {
            let (mut removed, mut added) = (String::new(), String::new());
            for p in run {
                if p.op != TextOp::Added {
                    removed.push_str(&p.text);
                }
                if p.op != TextOp::Removed {
                    added.push_str(&p.text);
                }
            }
            push_part(out, TextOp::Removed, &removed);
            push_part(out, TextOp::Added, &added);
        } else {
            for p in run {
                push_part(out, p.op, &p.text);
            }
        }
    };

    for (i, part) in raw.iter().enumerate() {
        match part.op {
            TextOp::Removed | TextOp::Added => {
                start.get_or_insert(i);
                has_removed |= part.op == TextOp::Removed;
                has_added |= part.op == TextOp::Added;
            }
            TextOp::Same => {
                let bridges = start.is_some()
                    && part.text.chars().all(char::is_whitespace)
                    && raw.get(i + 1).is_some_and(|next| next.op != TextOp::Same);
                if bridges {
                    continue;
                }
                if let Some(s) = start.take() {
                    flush(&mut out, &raw[s..i], has_removed, has_added);
                    (has_removed, has_added) = (false, false);
                }
                push_part(&mut out, TextOp::Same, &part.text);
            }
        }
    }
    if let Some(s) = start {
        flush(&mut out, &raw[s..], has_removed, has_added);
    }
    out
}

/// For display: each unchanged run longer than `2 * keep` words is cut to
/// its first `keep` words, " … " and its last `keep` words; the first run
/// keeps only its tail and the last only its head (a text with no change at
/// all keeps both). Added and removed parts are untouched.
pub fn trimmed(parts: &[TextPart], keep: usize) -> Vec<TextPart> {
    let last = parts.len().saturating_sub(1);
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if part.op != TextOp::Same {
                return part.clone();
            }
            let spans = word_spans(&part.text);
            if spans.len() <= keep.saturating_mul(2) {
                return part.clone();
            }
            let text = &part.text;
            // The head ends after its last word; the tail starts at its
            // first word.
            let head = match keep {
                0 => "",
                k => &text[..spans[k - 1].1],
            };
            let tail = match keep {
                0 => "",
                k => &text[spans[spans.len() - k].0..],
            };
            let (first, final_) = (i == 0, i == last);
            let text = match (first, final_) {
                (true, false) => format!("… {tail}"),
                (false, true) => format!("{head} …"),
                _ => format!("{head} … {tail}"),
            };
            TextPart {
                op: TextOp::Same,
                text,
            }
        })
        .collect()
}

/// Byte ranges of the words (runs of non-whitespace) of `text`.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agreement::ElementCode;
    use crate::domain::LetterNumber;

    use crate::domain::example;

    fn code(c: &str) -> ElementCode {
        ElementCode::parse(c).expect("grantable element")
    }

    fn join(parts: &[TextPart], skip: TextOp) -> String {
        parts
            .iter()
            .filter(|p| p.op != skip)
            .map(|p| p.text.as_str())
            .collect()
    }

    fn assert_rebuilds(a: &str, b: &str) -> Vec<TextPart> {
        let parts = words(a, b);
        assert_eq!(join(&parts, TextOp::Added), a, "old text from {parts:?}");
        assert_eq!(join(&parts, TextOp::Removed), b, "new text from {parts:?}");
        for pair in parts.windows(2) {
            assert_ne!(pair[0].op, pair[1].op, "unmerged parts in {parts:?}");
        }
        assert!(parts.iter().all(|p| !p.text.is_empty()), "{parts:?}");
        parts
    }

    #[test]
    fn identical_versions_have_no_difference() {
        let doc = example();
        let text = "PIHAK KESATU dan PIHAK KEDUA\nsepakat.";
        let diff = compare(&doc, &doc, text, text);
        assert_eq!(diff.fields, vec![]);
        assert_eq!(diff.scope, vec![]);
        assert!(diff.text.iter().all(|p| p.op == TextOp::Same));
        assert!(diff.is_empty());
    }

    #[test]
    fn scope_reports_elements_and_quota_not_fields() {
        let a = example();
        let mut b = a.clone();
        let scope_b = &mut b.access[0];
        // Replace "tempat_lahir" (index 3) and "jenis_pekerjaan" (index 6).
        scope_b.elements[3] = code("agama");
        scope_b.elements[6] = code("nomor_kk");
        scope_b.daily_quota = Some(500);

        assert_eq!(fields(&a, &b), vec![]);
        assert_eq!(
            scope(&a, &b),
            vec![ScopeChange {
                method: AccessMethod::WebPortal,
                added: vec!["agama".into(), "nomor_kk".into()],
                removed: vec!["tempat_lahir".into(), "jenis_pekerjaan".into()],
                quota: Some(QuotaChange {
                    before: Some(200),
                    after: Some(500),
                    unlimited_after_poc_before: true,
                    unlimited_after_poc_after: true,
                }),
            }]
        );
        assert_eq!(element_label("agama"), "Agama/Kepercayaan");
    }

    #[test]
    fn reordered_elements_are_no_change() {
        let a = example();
        let mut b = a.clone();
        b.access[0].elements.reverse();
        assert_eq!(scope(&a, &b), vec![]);
    }

    #[test]
    fn title_and_second_party_number_are_the_only_fields() {
        let a = example();
        let mut b = a.clone();
        b.title = "Pemanfaatan Data Kependudukan".into();
        b.parties[1].number = Some(LetterNumber::parse("518/5000/X/2025").unwrap());
        // Server-assigned ids are not changes.
        b.parties[1].institution.id = Some(7);
        b.parties[0].signatory.as_mut().unwrap().id = Some(3);

        assert_eq!(
            fields(&a, &b),
            vec![
                FieldChange {
                    field: "/title".into(),
                    label: "Judul".into(),
                    before: Some(a.title.clone()),
                    after: Some("Pemanfaatan Data Kependudukan".into()),
                },
                FieldChange {
                    field: "/parties/1/number".into(),
                    label: "Nomor surat PIHAK KEDUA".into(),
                    before: Some("518/4180/IX/2025".into()),
                    after: Some("518/5000/X/2025".into()),
                },
            ]
        );
        assert_eq!(scope(&a, &b), vec![]);
    }

    #[test]
    fn fields_on_one_side_only_come_after_in_document_order() {
        let a = example();
        let mut b = a.clone();
        b.purpose = None;
        b.legal_bases
            .push("Peraturan Bupati Purbalingga Nomor 1 Tahun 2025".into());
        b.juknis
            .as_mut()
            .unwrap()
            .network
            .as_mut()
            .unwrap()
            .bandwidth = Some("10 Mbps".into());
        b.parties[0].signatory.as_mut().unwrap().nip = None;
        b.terms.report_months = vec![6];

        let got: Vec<(String, String, Option<String>, Option<String>)> = fields(&a, &b)
            .into_iter()
            .map(|c| (c.field, c.label, c.before, c.after))
            .collect();
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            got,
            vec![
                (
                    "/legal_bases/6".into(),
                    "Dasar hukum ke-7".into(),
                    None,
                    s("Peraturan Bupati Purbalingga Nomor 1 Tahun 2025")
                ),
                (
                    "/juknis/network/bandwidth".into(),
                    "Bandwidth (Juknis)".into(),
                    s("1 Mbps"),
                    s("10 Mbps")
                ),
                ("/purpose".into(), "Maksud".into(), a.purpose.clone(), None),
                (
                    "/parties/0/signatory/nip".into(),
                    "NIP penanda tangan PIHAK KESATU".into(),
                    s("196710071993031005"),
                    None
                ),
                (
                    "/terms/report_months/1".into(),
                    "Bulan laporan semester ke-2".into(),
                    s("12"),
                    None
                ),
            ]
        );
    }

    #[test]
    fn every_pointer_gets_a_label() {
        let a = example();
        let b = a.clone();
        // Every field of the seed has a label of its own.
        for (pointer, _) in flatten(&a) {
            let segs: Vec<&str> = pointer.split('/').skip(1).collect();
            assert!(known_label(&segs, &a, &b).is_some(), "{pointer}");
        }
        assert_eq!(
            label("/juknis/network/foo", &a, &b),
            "juknis › network › foo"
        );
        assert_eq!(
            label("/parties/9/number", &a, &b),
            "Nomor surat pihak ke-10"
        );
        assert_eq!(label("/parties/x/number", &a, &b), "parties › x › number");
        assert_eq!(label("", &a, &b), "");
        assert_eq!(label("/a~1b~0c", &a, &b), "a/b~c");
    }

    #[test]
    fn method_only_in_b_adds_all_its_elements() {
        let a = example();
        let mut b = a.clone();
        b.access.push(Scope {
            id: None,
            method: AccessMethod::WebService,
            elements: vec![code("nik"), code("nama_lengkap")],
            daily_quota: None,
            unlimited_after_poc: false,
        });
        assert_eq!(
            scope(&a, &b),
            vec![ScopeChange {
                method: AccessMethod::WebService,
                added: vec!["nik".into(), "nama_lengkap".into()],
                removed: vec![],
                quota: None,
            }]
        );
        // The other way round: all removed, and its quota goes with it.
        assert_eq!(
            scope(&b, &a),
            vec![ScopeChange {
                method: AccessMethod::WebService,
                added: vec![],
                removed: vec!["nik".into(), "nama_lengkap".into()],
                quota: None,
            }]
        );
        let mut c = a.clone();
        c.access.clear();
        let gone = scope(&a, &c);
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].removed.len(), 8);
        assert_eq!(
            gone[0].quota,
            Some(QuotaChange {
                before: Some(200),
                after: None,
                unlimited_after_poc_before: true,
                unlimited_after_poc_after: false,
            })
        );
    }

    #[test]
    fn words_rebuild_both_texts() {
        let cases = [
            ("", ""),
            ("", "Pasal 1\nKetentuan Umum"),
            ("Pasal 1\nKetentuan Umum", ""),
            ("satu dua tiga", "satu dua tiga"),
            ("satu  dua\n\ntiga ", " satu dua\ntiga empat"),
            (
                "Pasal 1\n\n(1) PIHAK KESATU memberikan hak akses.\n",
                "Pasal 1\n\n(1) PIHAK KEDUA menerima hak akses.\n(2) Baru.\n",
            ),
            ("a b c d e f", "f e d c b a"),
            ("\n\n", " \t "),
            ("kata", "kata lain"),
            ("hak akses diberikan", "hak diberikan"),
        ];
        for (a, b) in cases {
            assert_rebuilds(a, b);
        }
    }

    #[test]
    fn replaced_phrase_is_one_removed_and_one_added_part() {
        let parts = assert_rebuilds(
            "PIHAK KESATU memberikan 8 (delapan) elemen data",
            "PIHAK KESATU memberikan 9 (sembilan) elemen data",
        );
        let part = |op, text: &str| TextPart {
            op,
            text: text.into(),
        };
        assert_eq!(
            parts,
            vec![
                part(TextOp::Same, "PIHAK KESATU memberikan "),
                part(TextOp::Removed, "8 (delapan)"),
                part(TextOp::Added, "9 (sembilan)"),
                part(TextOp::Same, " elemen data"),
            ]
        );
        let parts = assert_rebuilds("8 (delapan) elemen", "9 (sembilan) elemen");
        assert_eq!(parts[0], part(TextOp::Removed, "8 (delapan)"));
        assert_eq!(parts[1], part(TextOp::Added, "9 (sembilan)"));
        assert_eq!(parts[2], part(TextOp::Same, " elemen"));
    }

    #[test]
    fn trimmed_shortens_long_unchanged_runs_and_keeps_changes() {
        let long = |from: usize| -> String {
            (from..from + 30)
                .map(|i| format!("w{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let a = format!("{} lama\n{} akhir", long(0), long(100));
        let b = format!("{} baru\n{} akhir", long(0), long(100));
        let parts = words(&a, &b);
        let short = trimmed(&parts, 3);
        assert_eq!(
            short,
            vec![
                TextPart {
                    op: TextOp::Same,
                    text: "… w27 w28 w29 ".into()
                },
                TextPart {
                    op: TextOp::Removed,
                    text: "lama".into()
                },
                TextPart {
                    op: TextOp::Added,
                    text: "baru".into()
                },
                TextPart {
                    op: TextOp::Same,
                    text: "\nw100 w101 w102 …".into()
                },
            ]
        );
        // A run between two changes keeps both ends.
        let middle = vec![
            TextPart {
                op: TextOp::Added,
                text: "x".into(),
            },
            TextPart {
                op: TextOp::Same,
                text: " satu dua\ntiga empat lima enam ".into(),
            },
            TextPart {
                op: TextOp::Removed,
                text: "y".into(),
            },
        ];
        assert_eq!(
            trimmed(&middle, 2)[1].text,
            " satu dua … lima enam ".to_string()
        );
        assert_eq!(trimmed(&middle, 3), middle);
        assert_eq!(trimmed(&[], 3), vec![]);
    }

    #[test]
    fn comparing_two_long_texts_is_fast() {
        // ~3,000 words, as a PKS; a revision changes a few dozen.
        let a: String = (0..3000)
            .map(|i| format!("kata{} ", i % 257))
            .collect::<Vec<_>>()
            .concat();
        let b = a.replace("kata100 ", "pasal 100 ").replace("kata7 ", "");
        let doc = example();
        let start = std::time::Instant::now();
        let diff = compare(&doc, &doc, &a, &b);
        let took = start.elapsed();
        assert_eq!(join(&diff.text, TextOp::Removed), b);
        assert_eq!(join(&diff.text, TextOp::Added), a);
        // Generous: unoptimised test builds are many times slower than release.
        assert!(took < Duration::from_secs(2), "{took:?}");
    }
}
