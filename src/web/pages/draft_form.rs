//! The sections of a draft's form (`/perjanjian/{id}/ubah`): the fields each
//! shows — the draft's values, or what was just sent back with its errors —
//! and the JSON merge patch each save hands to the core. Field names are
//! JSON pointers into the import shape, so that the core's errors land
//! beside the field they name.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::domain::agreement::{AgreementDoc, FieldError};
use crate::domain::catalog::{AccessMethod, InstitutionKind, PocStatus, Side, ELEMENTS};
use crate::domain::words;

/// Field name → the message shown beside it (`_form`: above the section).
pub type Errors = BTreeMap<String, String>;

/// A posted form: its fields in order; a checklist repeats a name.
pub struct Sent(pub Vec<(String, String)>);

impl Sent {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The field's value, trimmed; empty when absent.
    pub fn one(&self, name: &str) -> &str {
        self.get(name).map(str::trim).unwrap_or("")
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Pihak,
    Isi,
    Dasar,
    Lingkup,
    Balikan,
    Juknis,
    Aplikasi,
    Tandatangan,
}

impl Section {
    pub const ALL: &'static [Section] = &[
        Section::Pihak,
        Section::Isi,
        Section::Dasar,
        Section::Lingkup,
        Section::Balikan,
        Section::Juknis,
        Section::Aplikasi,
        Section::Tandatangan,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Section::Pihak => "pihak",
            Section::Isi => "isi",
            Section::Dasar => "dasar",
            Section::Lingkup => "lingkup",
            Section::Balikan => "balikan",
            Section::Juknis => "juknis",
            Section::Aplikasi => "aplikasi",
            Section::Tandatangan => "tandatangan",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Pihak => "Para pihak dan penanda tangan",
            Section::Isi => "Judul, maksud, tanggal dan ketentuan",
            Section::Dasar => "Dasar hukum dan surat persetujuan",
            Section::Lingkup => "Lingkup akses: elemen data dan kuota",
            Section::Balikan => "Data balikan",
            Section::Juknis => "Juknis: jaringan, layanan, narahubung",
            Section::Aplikasi => "Aplikasi dan PoC",
            Section::Tandatangan => "Catat penandatanganan",
        }
    }

    pub fn from_slug(s: &str) -> Option<Section> {
        Self::ALL.iter().copied().find(|x| x.slug() == s)
    }

    /// The first part of the import shape a pointer names, for a finding
    /// that is linked to the section it belongs to.
    pub fn of_pointer(pointer: &str) -> Section {
        let top = pointer
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("");
        match top {
            "parties" if pointer.ends_with("/number") => Section::Tandatangan,
            "parties" => Section::Pihak,
            "legal_bases" | "approval_letter" => Section::Dasar,
            "access" => Section::Lingkup,
            "return_data" => Section::Balikan,
            "juknis" => Section::Juknis,
            "applications" => Section::Aplikasi,
            "signed_on" => Section::Tandatangan,
            _ => Section::Isi,
        }
    }
}

/// The HTML id of the field named `pointer`.
pub fn id_of(pointer: &str) -> String {
    format!("f{}", pointer.replace('/', "-"))
}

fn field(name: &str, label: &str, kind: &str, value: impl Into<Value>) -> Value {
    json!({"id": id_of(name), "name": name, "label": label, "kind": kind, "value": value.into()})
}

fn options(list: Vec<(String, String)>, chosen: &str) -> Value {
    list.into_iter()
        .map(|(value, label)| json!({"value": value, "label": label, "selected": value == chosen}))
        .collect()
}

fn select(name: &str, label: &str, list: Vec<(String, String)>, chosen: &str) -> Value {
    let mut f = field(name, label, "select", chosen);
    f["options"] = options(list, chosen);
    f
}

fn check(name: &str, label: &str, on: bool) -> Value {
    let mut f = field(name, label, "check", "");
    f["checked"] = json!(on);
    f
}

fn group(legend: &str, fields: Vec<Value>) -> Value {
    json!({"legend": legend, "fields": fields})
}

fn side_options() -> Vec<(String, String)> {
    Side::ALL
        .iter()
        .map(|s| (s.code().to_string(), s.label().to_string()))
        .collect()
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join("\n"),
        other => other.to_string(),
    }
}

/// The draft's values and, when the section was just sent back, what was sent.
struct Source<'a> {
    doc: Value,
    sent: Option<&'a Sent>,
}

impl Source<'_> {
    /// What a field shows: what was sent, else the draft's value at `pointer`.
    fn val(&self, pointer: &str) -> String {
        match self.sent {
            Some(s) => s.one(pointer).to_string(),
            None => self.doc.pointer(pointer).map(text_of).unwrap_or_default(),
        }
    }

    fn on(&self, pointer: &str) -> bool {
        match self.sent {
            Some(s) => s.has(pointer),
            None => self.doc.pointer(pointer).and_then(Value::as_bool) == Some(true),
        }
    }

    fn text(&self, name: &str, label: &str) -> Value {
        field(name, label, "text", self.val(name))
    }
}

/// What a section shows: its fields (or groups of them), each with the
/// error the last save left beside it, and the errors no field owns.
pub fn view(section: Section, doc: &AgreementDoc, sent: Option<&Sent>, errors: &Errors) -> Value {
    let src = Source {
        doc: serde_json::to_value(doc).unwrap_or(Value::Null),
        sent,
    };
    let (fields, groups): (Vec<Value>, Vec<Value>) = match section {
        Section::Pihak => (vec![], parties(&src, doc)),
        Section::Isi => (
            vec![
                src.text("/title", "Judul perjanjian"),
                field(
                    "/purpose",
                    "Maksud pemanfaatan data",
                    "textarea",
                    src.val("/purpose"),
                ),
                src.text("/signed_place", "Tempat penandatanganan"),
                field(
                    "/expires_on",
                    "Tanggal berakhir",
                    "date",
                    src.val("/expires_on"),
                ),
                field(
                    "/terms/iso27001_months",
                    "Batas sertifikat ISO 27001 (bulan setelah penandatanganan)",
                    "number",
                    src.val("/terms/iso27001_months"),
                ),
                field(
                    "/terms/iso27001_due_on",
                    "atau tanggal tetap menurut Juknis",
                    "date",
                    src.val("/terms/iso27001_due_on"),
                ),
                field(
                    "/terms/report_deadline_working_days",
                    "Batas laporan semester (hari kerja setelah semester)",
                    "number",
                    src.val("/terms/report_deadline_working_days"),
                ),
                field(
                    "/terms/renewal_notice_months",
                    "Permohonan perpanjangan paling lambat (bulan sebelum berakhir)",
                    "number",
                    src.val("/terms/renewal_notice_months"),
                ),
                check(
                    "/terms/card_reader",
                    "Memakai card reader/kartu SAM",
                    src.on("/terms/card_reader"),
                ),
            ],
            vec![],
        ),
        Section::Dasar => (
            vec![
                field(
                    "/legal_bases",
                    "Dasar hukum, satu per baris",
                    "textarea",
                    src.val("/legal_bases"),
                ),
                src.text(
                    "/approval_letter/number",
                    "Nomor surat persetujuan Ditjen Dukcapil",
                ),
                field(
                    "/approval_letter/date",
                    "Tanggal surat persetujuan",
                    "date",
                    src.val("/approval_letter/date"),
                ),
                src.text("/approval_letter/subject", "Perihal surat persetujuan"),
            ],
            vec![],
        ),
        Section::Lingkup => (vec![], scopes(&src, doc)),
        Section::Balikan => (
            vec![field(
                "/return_data",
                "Data balikan, satu per baris",
                "textarea",
                src.val("/return_data"),
            )],
            vec![],
        ),
        Section::Juknis => juknis(&src, doc),
        Section::Aplikasi => (vec![], applications(&src, doc)),
        Section::Tandatangan => (signing(&src, doc), vec![]),
    };
    let mut owned = std::collections::BTreeSet::new();
    let mark = |f: &mut Value, owned: &mut std::collections::BTreeSet<String>| {
        if let Some(name) = f["name"].as_str().map(str::to_string) {
            if let Some(e) = errors.get(&name) {
                f["error"] = json!(e);
            }
            owned.insert(name);
        }
    };
    let mut fields = fields;
    for f in &mut fields {
        mark(f, &mut owned);
    }
    let mut groups = groups;
    for g in &mut groups {
        if let Some(list) = g["fields"].as_array_mut() {
            for f in list {
                mark(f, &mut owned);
            }
        }
    }
    let top: Vec<&String> = errors
        .iter()
        .filter(|(k, _)| !owned.contains(*k))
        .map(|(_, v)| v)
        .collect();
    json!({
        "slug": section.slug(),
        "title": section.title(),
        "fields": fields,
        "groups": groups,
        "errors": top,
        "failed": !errors.is_empty(),
    })
}

fn parties(src: &Source, doc: &AgreementDoc) -> Vec<Value> {
    doc.parties
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let at = |rest: &str| format!("/parties/{i}/{rest}");
            let mut fields = vec![];
            if p.side == Side::First {
                let mut f = field(
                    &at("institution/name"),
                    "Kantor",
                    "tetap",
                    p.institution.name.clone(),
                );
                f["note"] = json!("PIHAK KESATU adalah kantor yang menyusun draf ini.");
                fields.push(f);
            } else {
                let mut name = src.text(&at("institution/name"), "Nama instansi");
                name["suggest"] = json!(true);
                fields.push(name);
                let kinds = InstitutionKind::ALL
                    .iter()
                    .filter(|k| !k.is_dukcapil())
                    .map(|k| (k.code().to_string(), k.label().to_string()))
                    .collect();
                let chosen = src.val(&at("institution/kind"));
                fields.push(select(
                    &at("institution/kind"),
                    "Jenis instansi",
                    kinds,
                    &chosen,
                ));
                let mut email = src.text(&at("institution/email"), "E-mail instansi");
                email["kind"] = json!("email");
                fields.push(email);
            }
            fields.push(src.text(&at("signatory/name"), "Nama penanda tangan (dengan gelar)"));
            fields.push(src.text(&at("signatory/position"), "Jabatan"));
            let mut nip = src.text(&at("signatory/nip"), "NIP (18 angka)");
            nip["inputmode"] = json!("numeric");
            nip["check"] = json!("nip");
            fields.push(nip);
            let mut nik = src.text(&at("signatory/nik"), "NIK (16 angka, bila tidak ber-NIP)");
            nik["inputmode"] = json!("numeric");
            nik["check"] = json!("nik");
            fields.push(nik);
            fields.push(src.text(
                &at("signatory/email"),
                "E-mail penanda tangan (untuk pengingat dan undangan portal)",
            ));
            group(p.side.label(), fields)
        })
        .collect()
}

fn scopes(src: &Source, doc: &AgreementDoc) -> Vec<Value> {
    AccessMethod::ALL
        .iter()
        .map(|m| {
            let code = m.code();
            let scope = doc.access.iter().find(|s| s.method == *m);
            let name = |rest: &str| format!("/access/{code}{rest}");
            let chosen: Vec<String> = match src.sent {
                Some(s) => s
                    .all(&name("/elements"))
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
                None => scope
                    .map(|s| s.elements.iter().map(|e| e.as_str().to_string()).collect())
                    .unwrap_or_default(),
            };
            let used = match src.sent {
                Some(s) => s.has(&name("")) || !chosen.is_empty(),
                None => scope.is_some(),
            };
            let mut list = field(&name("/elements"), "Elemen data", "daftar", "");
            list["items"] = json!(checklist(&name("/elements"), &chosen));
            list["count"] = json!(if chosen.is_empty() {
                "belum ada elemen".to_string()
            } else {
                format!("{} elemen data", words::count(chosen.len() as u64))
            });
            let quota = match src.sent {
                Some(s) => s.one(&name("/daily_quota")).to_string(),
                None => scope
                    .and_then(|s| s.daily_quota)
                    .map(|q| q.to_string())
                    .unwrap_or_default(),
            };
            let unlimited = match src.sent {
                Some(s) => s.has(&name("/unlimited_after_poc")),
                None => scope.is_some_and(|s| s.unlimited_after_poc),
            };
            let fields = vec![
                check(&name(""), &format!("{} diberikan", m.label()), used),
                list,
                field(
                    &name("/daily_quota"),
                    "Kuota per hari (akses NIK); kosong: tanpa batas",
                    "number",
                    quota,
                ),
                check(
                    &name("/unlimited_after_poc"),
                    "Tanpa batas setelah PoC lulus",
                    unlimited,
                ),
            ];
            group(m.label(), fields)
        })
        .collect()
}

/// The element catalog as checkboxes named `name`, those in `chosen`
/// ticked, the protected ones disabled with the reason. Written here
/// rather than in the template: four methods of thirty elements are most
/// of the page's fields.
fn checklist(name: &str, chosen: &[String]) -> String {
    use handlebars::html_escape;
    let mut out = String::with_capacity(ELEMENTS.len() * 160);
    for e in ELEMENTS {
        let id = id_of(&format!("{name}/{}", e.code));
        let checked = if chosen.iter().any(|c| c == e.code) {
            " checked"
        } else {
            ""
        };
        let label = html_escape(e.label);
        if e.protected {
            out.push_str(&format!(
                "<label class=\"centang dilarang\" for=\"{id}\"><input type=\"checkbox\" id=\"{id}\" \
                 name=\"{name}\" value=\"{code}\"{checked} disabled aria-describedby=\"{id}-alasan\"> \
                 {label} <span class=\"kecil\" id=\"{id}-alasan\">— dilindungi UU 24/2013 Pasal 84; \
                 tidak dapat diberikan melalui PKS</span></label>\n",
                code = e.code
            ));
        } else {
            out.push_str(&format!(
                "<label class=\"centang\" for=\"{id}\"><input type=\"checkbox\" id=\"{id}\" \
                 name=\"{name}\" value=\"{code}\"{checked}> {label}</label>\n",
                code = e.code
            ));
        }
    }
    out
}

/// Rows of a list (contacts, applications): those on record and one empty,
/// or as many as were sent.
fn rows(src: &Source, prefix: &str, on_record: usize) -> usize {
    let sent = src.sent.map_or(0, |s| rows_sent(s, prefix));
    sent.max(on_record + 1)
}

fn juknis(src: &Source, doc: &AgreementDoc) -> (Vec<Value>, Vec<Value>) {
    let j = doc.juknis.as_ref();
    let costs = vec![
        (String::new(), "—".to_string()),
        (
            Side::First.code().to_string(),
            Side::First.label().to_string(),
        ),
        (
            Side::Second.code().to_string(),
            Side::Second.label().to_string(),
        ),
    ];
    let fields = vec![
        src.text("/juknis/place", "Tempat Juknis ditetapkan"),
        src.text("/juknis/network/ip_lan", "IP LAN PIHAK KEDUA"),
        src.text("/juknis/network/bandwidth", "Bandwidth"),
        select(
            "/juknis/network/cost_bearer",
            "Biaya jaringan ditanggung",
            costs,
            &src.val("/juknis/network/cost_bearer"),
        ),
        src.text("/juknis/network/estimated_connection", "Perkiraan koneksi"),
        src.text("/juknis/services/web_portal_ip", "IP web portal"),
        src.text(
            "/juknis/services/return_data_url",
            "Alamat layanan data balikan",
        ),
        src.text(
            "/juknis/services/sam_activation_url",
            "Alamat aktivasi SAM (SIFILMA)",
        ),
        src.text("/juknis/report_email", "E-mail penerima laporan"),
    ];
    let mut groups = vec![];
    let people =
        |list: &str, n: usize, legend: &str, with_contact: bool, groups: &mut Vec<Value>| {
            for r in 0..n {
                let at = |rest: &str| format!("/juknis/{list}/{r}/{rest}");
                let side = src.val(&at("side"));
                let mut fields = vec![
                    select(
                        &at("side"),
                        "Pihak",
                        side_options(),
                        if side.is_empty() { "second" } else { &side },
                    ),
                    src.text(&at("name"), "Nama"),
                    src.text(&at("position"), "Jabatan"),
                ];
                if with_contact {
                    fields.push(src.text(&at("phone"), "Telepon"));
                    fields.push(src.text(&at("email"), "E-mail"));
                } else {
                    fields.push(src.text(&at("nip"), "NIP"));
                }
                groups.push(group(&format!("{legend} {}", r + 1), fields));
            }
        };
    let contacts = rows(src, "/juknis/contacts", j.map_or(0, |j| j.contacts.len()));
    people("contacts", contacts, "Narahubung", true, &mut groups);
    let acks = rows(
        src,
        "/juknis/acknowledged_by",
        j.map_or(0, |j| j.acknowledged_by.len()),
    );
    people("acknowledged_by", acks, "Mengetahui", false, &mut groups);
    (fields, groups)
}

fn applications(src: &Source, doc: &AgreementDoc) -> Vec<Value> {
    let n = rows(src, "/applications", doc.applications.len());
    let methods: Vec<(String, String)> = AccessMethod::ALL
        .iter()
        .map(|m| (m.code().to_string(), m.label().to_string()))
        .collect();
    let statuses: Vec<(String, String)> = PocStatus::ALL
        .iter()
        .map(|s| (s.code().to_string(), words::capitalized(s.label())))
        .collect();
    (0..n)
        .map(|r| {
            let at = |rest: &str| format!("/applications/{r}/{rest}");
            let method = src.val(&at("method"));
            let status = src.val(&at("poc/status"));
            group(
                &format!("Aplikasi {}", r + 1),
                vec![
                    src.text(&at("name"), "Nama aplikasi"),
                    select(&at("method"), "Metode akses", methods.clone(), &method),
                    select(
                        &at("poc/status"),
                        "Status PoC",
                        statuses.clone(),
                        if status.is_empty() {
                            "not_requested"
                        } else {
                            &status
                        },
                    ),
                    src.text(&at("poc/result_letter/number"), "Nomor surat hasil PoC"),
                    field(
                        &at("poc/result_letter/date"),
                        "Tanggal surat hasil PoC",
                        "date",
                        src.val(&at("poc/result_letter/date")),
                    ),
                ],
            )
        })
        .collect()
}

fn signing(src: &Source, doc: &AgreementDoc) -> Vec<Value> {
    let mut fields = vec![field(
        "/signed_on",
        "Tanggal penandatanganan",
        "date",
        src.val("/signed_on"),
    )];
    for (i, p) in doc.parties.iter().enumerate() {
        let mut f = src.text(
            &format!("/parties/{i}/number"),
            &format!("Nomor surat {}", p.side.label()),
        );
        f["check"] = json!("nomor");
        fields.push(f);
    }
    if doc.juknis.is_some() {
        let mut f = src.text("/juknis/number", "Nomor Juknis");
        f["check"] = json!("nomor");
        fields.push(f);
        fields.push(field(
            "/juknis/date",
            "Tanggal Juknis (kosong: tanggal penandatanganan)",
            "date",
            src.val("/juknis/date"),
        ));
    }
    fields
}

// ---- the patch a save sends ----------------------------------------------------

/// Where the core's pointers differ from the form's names: a list the form
/// shows in its own order (an access method per row, rows left empty).
pub type Renames = Vec<(String, String)>;

fn opt(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        json!(s)
    }
}

fn lines(s: &str) -> Value {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| json!(l))
        .collect()
}

/// A whole number, or the message beside the field.
fn number(sent: &Sent, name: &str, errors: &mut Errors) -> Value {
    let raw = sent.one(name);
    if raw.is_empty() {
        return Value::Null;
    }
    match raw.replace('.', "").parse::<u32>() {
        Ok(n) => json!(n),
        Err(_) => {
            errors.insert(name.into(), "isi dengan bilangan bulat, mis. 6".into());
            Value::Null
        }
    }
}

/// Sets `key` of `obj` to `v`, or removes it when `v` is null.
fn put(obj: &mut Map<String, Value>, key: &str, v: Value) {
    if v.is_null() {
        obj.remove(key);
    } else {
        obj.insert(key.into(), v);
    }
}

/// The merge patch of the import shape a section's save sends, with the
/// renames that carry the core's pointers back to the form's names.
pub fn patch(
    section: Section,
    doc: &AgreementDoc,
    sent: &Sent,
) -> Result<(Value, Renames), Errors> {
    let mut errors = Errors::new();
    let cur = serde_json::to_value(doc).unwrap_or(Value::Null);
    let mut renames = Renames::new();
    let patch = match section {
        Section::Pihak => {
            let mut list = vec![];
            for (i, p) in doc.parties.iter().enumerate() {
                let at = |rest: &str| format!("/parties/{i}/{rest}");
                let mut party = cur["parties"][i].as_object().cloned().unwrap_or_default();
                if p.side != Side::First {
                    let name = sent.one(&at("institution/name"));
                    let kind = sent.one(&at("institution/kind"));
                    let email = opt(sent.one(&at("institution/email")));
                    let mut inst =
                        if name != p.institution.name || kind != p.institution.kind.code() {
                            // Another agency: found by its name, or new.
                            let mut o = Map::new();
                            o.insert("name".into(), json!(name));
                            o.insert("kind".into(), json!(kind));
                            o
                        } else {
                            cur["parties"][i]["institution"]
                                .as_object()
                                .cloned()
                                .unwrap_or_default()
                        };
                    put(&mut inst, "email", email);
                    party.insert("institution".into(), Value::Object(inst));
                }
                let name = sent.one(&at("signatory/name"));
                if name.is_empty() {
                    party.remove("signatory");
                } else {
                    let old = p.signatory.as_ref();
                    let mut s = if old.is_some_and(|o| o.name.trim() == name) {
                        cur["parties"][i]["signatory"]
                            .as_object()
                            .cloned()
                            .unwrap_or_default()
                    } else {
                        Map::new()
                    };
                    s.insert("name".into(), json!(name));
                    for key in ["position", "nip", "nik", "email"] {
                        put(&mut s, key, opt(sent.one(&at(&format!("signatory/{key}")))));
                    }
                    party.insert("signatory".into(), Value::Object(s));
                }
                list.push(Value::Object(party));
            }
            json!({"parties": list})
        }
        Section::Isi => {
            let mut terms = cur["terms"].as_object().cloned().unwrap_or_default();
            for key in [
                "iso27001_months",
                "report_deadline_working_days",
                "renewal_notice_months",
            ] {
                let name = format!("/terms/{key}");
                match number(sent, &name, &mut errors) {
                    Value::Null if !errors.contains_key(&name) => {
                        errors.insert(name, "wajib diisi".into());
                    }
                    v => {
                        terms.insert(key.into(), v);
                    }
                }
            }
            put(
                &mut terms,
                "iso27001_due_on",
                opt(sent.one("/terms/iso27001_due_on")),
            );
            terms.insert("card_reader".into(), json!(sent.has("/terms/card_reader")));
            json!({
                "title": sent.one("/title"),
                "purpose": opt(sent.one("/purpose")),
                "signed_place": opt(sent.one("/signed_place")),
                "expires_on": opt(sent.one("/expires_on")),
                "terms": terms,
            })
        }
        Section::Dasar => {
            let number = sent.one("/approval_letter/number");
            let date = sent.one("/approval_letter/date");
            let subject = sent.one("/approval_letter/subject");
            let letter = if number.is_empty() {
                if !date.is_empty() || !subject.is_empty() {
                    errors.insert(
                        "/approval_letter/number".into(),
                        "isi nomor surat persetujuan, atau kosongkan tanggal dan perihalnya".into(),
                    );
                }
                Value::Null
            } else {
                let mut l = Map::new();
                l.insert("number".into(), json!(number));
                put(&mut l, "date", opt(date));
                put(&mut l, "subject", opt(subject));
                Value::Object(l)
            };
            // The letter is replaced whole, not merged.
            json!({"legal_bases": lines(sent.one("/legal_bases")), "approval_letter": letter})
        }
        Section::Lingkup => {
            let mut list = vec![];
            for m in AccessMethod::ALL {
                let code = m.code();
                let name = |rest: &str| format!("/access/{code}{rest}");
                let elements = sent.all(&name("/elements"));
                if !sent.has(&name("")) && elements.is_empty() {
                    continue;
                }
                let quota = number(sent, &name("/daily_quota"), &mut errors);
                renames.push((format!("/access/{}", list.len()), name("")));
                let mut s = Map::new();
                s.insert("method".into(), json!(code));
                s.insert("elements".into(), json!(elements));
                put(&mut s, "daily_quota", quota);
                s.insert(
                    "unlimited_after_poc".into(),
                    json!(sent.has(&name("/unlimited_after_poc"))),
                );
                list.push(Value::Object(s));
            }
            json!({"access": list})
        }
        Section::Balikan => json!({"return_data": lines(sent.one("/return_data"))}),
        Section::Juknis => {
            let mut j = cur["juknis"].as_object().cloned().unwrap_or_default();
            put(&mut j, "place", opt(sent.one("/juknis/place")));
            put(
                &mut j,
                "report_email",
                opt(sent.one("/juknis/report_email")),
            );
            let mut group_of = |key: &str, names: &[&str]| {
                let mut o = Map::new();
                for n in names {
                    put(&mut o, n, opt(sent.one(&format!("/juknis/{key}/{n}"))));
                }
                put(
                    &mut j,
                    key,
                    if o.is_empty() {
                        Value::Null
                    } else {
                        Value::Object(o)
                    },
                );
            };
            group_of(
                "network",
                &["ip_lan", "bandwidth", "cost_bearer", "estimated_connection"],
            );
            group_of(
                "services",
                &["web_portal_ip", "return_data_url", "sam_activation_url"],
            );
            for (list, keys) in [
                ("contacts", &["position", "phone", "email"][..]),
                ("acknowledged_by", &["position", "nip"][..]),
            ] {
                let n = rows_sent(sent, &format!("/juknis/{list}"));
                let mut people = vec![];
                for r in 0..n {
                    let at = |rest: &str| format!("/juknis/{list}/{r}/{rest}");
                    let name = sent.one(&at("name"));
                    if name.is_empty() {
                        continue;
                    }
                    renames.push((
                        format!("/juknis/{list}/{}", people.len()),
                        format!("/juknis/{list}/{r}"),
                    ));
                    let mut p = Map::new();
                    p.insert("side".into(), json!(sent.one(&at("side"))));
                    p.insert("name".into(), json!(name));
                    for k in keys {
                        put(&mut p, k, opt(sent.one(&at(k))));
                    }
                    people.push(Value::Object(p));
                }
                j.insert(list.into(), json!(people));
            }
            let empty = j
                .iter()
                .all(|(_, v)| v.is_null() || v.as_array().is_some_and(|a| a.is_empty()));
            if empty && doc.juknis.is_none() {
                json!({})
            } else {
                json!({"juknis": j})
            }
        }
        Section::Aplikasi => {
            let n = rows_sent(sent, "/applications");
            let mut apps = vec![];
            for r in 0..n {
                let at = |rest: &str| format!("/applications/{r}/{rest}");
                let name = sent.one(&at("name"));
                if name.is_empty() {
                    continue;
                }
                let i = apps.len();
                renames.push((format!("/applications/{i}"), format!("/applications/{r}")));
                // What the form does not show of an application on record
                // (the PoC's request letter and schedule) stays.
                let mut poc = doc
                    .applications
                    .iter()
                    .find(|a| a.name.trim() == name)
                    .and_then(|a| serde_json::to_value(&a.poc).ok())
                    .and_then(|v| v.as_object().cloned())
                    .unwrap_or_default();
                poc.insert("status".into(), json!(sent.one(&at("poc/status"))));
                let number = sent.one(&at("poc/result_letter/number"));
                if number.is_empty() {
                    poc.remove("result_letter");
                } else {
                    let mut l = Map::new();
                    l.insert("number".into(), json!(number));
                    put(&mut l, "date", opt(sent.one(&at("poc/result_letter/date"))));
                    poc.insert("result_letter".into(), Value::Object(l));
                }
                apps.push(json!({"name": name, "method": sent.one(&at("method")), "poc": poc}));
            }
            json!({"applications": apps})
        }
        Section::Tandatangan => {
            let signed = sent.one("/signed_on");
            if signed.is_empty() {
                errors.insert("/signed_on".into(), "isi tanggal penandatanganan".into());
            }
            let mut list = vec![];
            for (i, _) in doc.parties.iter().enumerate() {
                let mut party = cur["parties"][i].as_object().cloned().unwrap_or_default();
                put(
                    &mut party,
                    "number",
                    opt(sent.one(&format!("/parties/{i}/number"))),
                );
                list.push(Value::Object(party));
            }
            let mut p = json!({"signed_on": signed, "parties": list});
            if doc.juknis.is_some() {
                let date = match sent.one("/juknis/date") {
                    "" => signed,
                    d => d,
                };
                p["juknis"] = json!({"number": opt(sent.one("/juknis/number")), "date": opt(date)});
            }
            p
        }
    };
    if errors.is_empty() {
        Ok((patch, renames))
    } else {
        Err(errors)
    }
}

/// How many rows of a list were sent.
fn rows_sent(sent: &Sent, prefix: &str) -> usize {
    sent.0
        .iter()
        .filter_map(|(k, _)| k.strip_prefix(prefix))
        .filter_map(|rest| {
            rest.trim_start_matches('/')
                .split('/')
                .next()?
                .parse::<usize>()
                .ok()
        })
        .max()
        .map_or(0, |n| n + 1)
}

/// The core's errors beside the section's fields: each to the field whose
/// name is the longest prefix of its pointer (after the section's renames).
pub fn place(
    section: Section,
    doc: &AgreementDoc,
    errors: &[FieldError],
    renames: &Renames,
) -> Errors {
    let shown = view(section, doc, None, &Errors::new());
    let mut names: Vec<String> = vec![];
    let mut collect = |list: &Value| {
        for f in list.as_array().into_iter().flatten() {
            if let Some(n) = f["name"].as_str() {
                names.push(n.to_string());
            }
        }
    };
    collect(&shown["fields"]);
    for g in shown["groups"].as_array().into_iter().flatten() {
        collect(&g["fields"]);
    }
    let mut out = Errors::new();
    for e in errors {
        let mut pointer = e.pointer.clone();
        for (from, to) in renames {
            if pointer == *from || pointer.starts_with(&format!("{from}/")) {
                pointer = format!("{to}{}", &pointer[from.len()..]);
                break;
            }
        }
        let owner = names
            .iter()
            .filter(|n| pointer == **n || pointer.starts_with(&format!("{n}/")))
            .max_by_key(|n| n.len())
            .cloned()
            .unwrap_or_else(|| format!("_{pointer}"));
        out.entry(owner).or_insert_with(|| e.message.clone());
    }
    out
}
