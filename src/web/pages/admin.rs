//! Administrasi (`/admin/…`) for admins and legal staff: accounts
//! (`/admin/pengguna`), the holiday table behind every working-day count
//! (`/admin/hari-libur`), and the document template sets. Who may see and
//! change what is the core's to say: a refusal of the core is the page's
//! 403.

use std::collections::{BTreeMap, HashMap};

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::app::policy::{self, Action};
use crate::app::{self, Actor};
use crate::domain::account::{NewPassword, Username};
use crate::domain::calendar::{parse_holidays_csv, Holiday, HolidayKind};
use crate::domain::catalog::Role;
use crate::http::problem::ApiError;
use crate::http::run;
use crate::store::{holidays, institutions};
use crate::web::form::Posted;
use crate::web::render;
use crate::web::session::{state, Visitor};
use crate::web::PageError;

/// What a form sent back with its errors, to show beside its fields.
#[derive(Default)]
struct Refill {
    form: &'static str,
    values: Value,
    errors: BTreeMap<String, String>,
}

impl Refill {
    fn answer(&self, mut r: HttpResponse) -> HttpResponse {
        if !self.errors.is_empty() {
            *r.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
        }
        r
    }
}

/// The core's 409/422 as one message, for the field that caused it.
fn message(e: &ApiError) -> String {
    e.errors
        .first()
        .map(|f| f.message.clone())
        .unwrap_or_else(|| e.detail.clone())
}

fn is_invalid(e: &ApiError) -> bool {
    matches!(e.status.as_u16(), 409 | 422)
}

// ---- /admin ---------------------------------------------------------------------

async fn home(req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, PageError> {
    policy::allow(&visitor.actor, Action::ListUsers)?;
    let sets: Vec<Value> = crate::documents::SETS
        .iter()
        .map(|s| json!({"name": s, "default": *s == "default"}))
        .collect();
    let ctx = json!({
        "sets": sets,
        "holidays": policy::allow(&visitor.actor, Action::WriteHolidays).is_ok(),
    });
    Ok(render::page(
        &req,
        &visitor,
        "admin",
        "Administrasi",
        "admin",
        ctx,
    ))
}

// ---- /admin/pengguna ------------------------------------------------------------

/// The institutions an account may be tied to, as the actor sees them:
/// (id, name), by name.
fn institution_choices(
    c: &mut crate::store::DbConnection,
    actor: &Actor,
) -> Result<Vec<(i64, String)>, app::AppError> {
    let f = institutions::ListFilter {
        q: None,
        kind: None,
        limit: 10_000,
        offset: 0,
        only: actor.visible.institutions(c)?,
        agencies_only: false,
    };
    let (_, list) = institutions::list(c, &f)?;
    let mut out: Vec<(i64, String)> = list
        .into_iter()
        .filter_map(|i| i.doc.id.map(|id| (id, i.doc.name)))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

async fn users(req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, PageError> {
    users_page(&req, &visitor, Refill::default()).await
}

async fn users_page(
    req: &HttpRequest,
    visitor: &Visitor,
    refill: Refill,
) -> Result<HttpResponse, PageError> {
    let state = state(req)?;
    let actor = visitor.actor.clone();
    let (accounts, choices) = run(&state, move |c| {
        let accounts = app::users::list(c, &actor)?;
        let choices = institution_choices(c, &actor)?;
        Ok((accounts, choices))
    })
    .await?;
    let names: HashMap<i64, &str> = choices.iter().map(|(i, n)| (*i, n.as_str())).collect();
    let can_change = policy::allow(&visitor.actor, Action::ChangeUser).is_ok();
    let me = visitor.actor.user;
    let roles_for = |selected: Option<&str>| -> Vec<Value> {
        Role::ALL
            .iter()
            .filter(|r| policy::allow(&visitor.actor, Action::CreateUser { role: **r }).is_ok())
            .map(|r| json!({"code": r.code(), "label": r.label(), "selected": selected == Some(r.code())}))
            .collect()
    };
    let rows: Vec<Value> = accounts
        .iter()
        .map(|u| {
            let this_row = refill.values.get("id").and_then(Value::as_i64) == Some(u.id);
            let row_error = (matches!(refill.form, "ubah" | "instansi") && this_row)
                .then(|| refill.errors.get("_form").cloned())
                .flatten();
            let moving = refill.form == "instansi" && this_row;
            let choices: Vec<Value> = if moving {
                choices
                    .iter()
                    .map(|(id, name)| {
                        json!({"id": id, "name": name, "selected": u.institution_id == Some(*id)})
                    })
                    .collect()
            } else {
                Vec::new()
            };
            json!({
                "id": u.id,
                "username": u.username,
                "role": u.role.code(),
                "role_label": u.role.label(),
                "institution": u.institution_id.map(|i| names.get(&i).map(|n| n.to_string()).unwrap_or_else(|| format!("instansi {i}"))),
                "disabled": u.disabled,
                "approver": u.approver,
                "legal": u.role == Role::Legal,
                "self": me == Some(u.id),
                "roles": roles_for(Some(u.role.code())),
                "error": row_error,
                "moving": moving,
                "choices": choices,
            })
        })
        .collect();
    let add = refill.form == "tambah";
    let chosen_institution = if add {
        refill
            .values
            .get("instansi")
            .and_then(Value::as_str)
            .map(str::to_string)
    } else {
        None
    };
    let institutions: Vec<Value> = choices
        .iter()
        .map(|(id, name)| {
            json!({"id": id, "name": name,
                   "selected": chosen_institution.as_deref() == Some(id.to_string().as_str())})
        })
        .collect();
    let chosen_role = if add {
        refill
            .values
            .get("peran")
            .and_then(Value::as_str)
            .map(str::to_string)
    } else {
        None
    };
    let ctx = json!({
        "users": rows,
        "can_change": can_change,
        "roles": roles_for(chosen_role.as_deref().or(Some("opd"))),
        "institutions": institutions,
        "values": if add { refill.values.clone() } else { json!({}) },
        "errors": if add { json!(refill.errors) } else { json!({}) },
        "admin": visitor.actor.role == Role::Admin,
    });
    let r = render::page(req, visitor, "admin_pengguna", "Pengguna", "admin", ctx);
    Ok(refill.answer(r))
}

/// A new account as the form sends it.
#[derive(Deserialize, Serialize)]
struct NewUserForm {
    #[serde(default)]
    nama_pengguna: String,
    #[serde(default)]
    peran: String,
    #[serde(default)]
    instansi: String,
    #[serde(default, skip_serializing)]
    sandi: String,
}

impl NewUserForm {
    fn check(
        &self,
    ) -> Result<(Username, Role, Option<i64>, NewPassword), BTreeMap<String, String>> {
        let mut errors = BTreeMap::new();
        let name = Username::parse(&self.nama_pengguna)
            .map_err(|m| errors.insert("nama_pengguna".into(), m))
            .ok();
        let role = Role::from_code(self.peran.trim());
        if role.is_none() {
            errors.insert("peran".into(), "pilih peran akun".into());
        }
        let institution = match self.instansi.trim() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(i) => Some(i),
                Err(_) => {
                    errors.insert("instansi".into(), "pilih instansi dari daftar".into());
                    None
                }
            },
        };
        let password = NewPassword::parse(&self.sandi)
            .map_err(|m| errors.insert("sandi".into(), m))
            .ok();
        match (name, role, password) {
            (Some(n), Some(r), Some(p)) if errors.is_empty() => Ok((n, r, institution, p)),
            _ => Err(errors),
        }
    }
}

/// Where each of the core's JSON pointers is shown on the new-account form.
fn user_field(pointer: &str) -> &'static str {
    match pointer {
        p if p.starts_with("/institution_id") => "instansi",
        p if p.starts_with("/role") => "peran",
        p if p.starts_with("/username") => "nama_pengguna",
        p if p.starts_with("/password") => "sandi",
        _ => "_form",
    }
}

async fn add_user(req: HttpRequest, form: Posted<NewUserForm>) -> Result<HttpResponse, PageError> {
    let Posted(visitor, f) = form;
    let refill = |errors| Refill {
        form: "tambah",
        values: serde_json::to_value(&f).unwrap_or_default(),
        errors,
    };
    let (username, role, institution_id, password) = match f.check() {
        Ok(v) => v,
        Err(errors) => return users_page(&req, &visitor, refill(errors)).await,
    };
    // Refused before the costly hash when the role may not add this account.
    policy::allow(&visitor.actor, Action::CreateUser { role })?;
    let hash = web::block(move || crate::auth::password::hash(password.expose()))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            ApiError::internal()
        })?;
    let state = state(&req)?;
    let actor = visitor.actor.clone();
    let new = app::users::NewAccount {
        username,
        password_hash: hash,
        role,
        institution_id,
    };
    match run(&state, move |c| app::users::create(c, &actor, &new)).await {
        Ok(v) => Ok(render::see_other(
            "/admin/pengguna",
            &format!(
                "Akun {} ditambahkan dengan peran {}. Sampaikan kata sandi awalnya secara langsung.",
                v.username,
                v.role.label()
            ),
        )),
        Err(e) if is_invalid(&e) => {
            let mut errors = BTreeMap::new();
            if e.status.as_u16() == 409 {
                errors.insert("nama_pengguna".to_string(), e.detail.clone());
            } else {
                for fe in &e.errors {
                    errors
                        .entry(user_field(&fe.pointer).to_string())
                        .or_insert_with(|| fe.message.clone());
                }
                if errors.is_empty() {
                    errors.insert("_form".into(), e.detail.clone());
                }
            }
            users_page(&req, &visitor, refill(errors)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A change of one account from its row: its role, or enabled/disabled.
#[derive(Deserialize)]
struct ChangeForm {
    peran: Option<String>,
    /// `ya` disables, `tidak` enables.
    nonaktif: Option<String>,
    /// A new password the admin sets (and hands over in person); the
    /// account's sessions and tokens end.
    sandi: Option<String>,
    /// `ya` makes a legal account an approver of drafts, `tidak` ends it.
    penyetuju: Option<String>,
    /// The institution's id the account moves to; empty: none (admins).
    instansi: Option<String>,
}

/// The users page with account `id`'s institution form open: what the
/// row's "Ubah instansi" link opens (the choices are long, so each row does
/// not carry them).
async fn user_institution(
    req: HttpRequest,
    visitor: Visitor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let refill = Refill {
        form: "instansi",
        values: json!({"id": id.into_inner()}),
        errors: BTreeMap::new(),
    };
    users_page(&req, &visitor, refill).await
}

async fn change_user(
    req: HttpRequest,
    id: web::Path<i64>,
    form: Posted<ChangeForm>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, f) = form;
    let id = id.into_inner();
    let fail = |message: String| Refill {
        form: "ubah",
        values: json!({"id": id}),
        errors: BTreeMap::from([("_form".to_string(), message)]),
    };
    let mut change = app::users::AccountChange::default();
    if let Some(raw) = f.instansi.as_deref() {
        change.institution_id = Some(match raw.trim() {
            "" => None,
            chosen => match chosen.parse::<i64>() {
                Ok(i) => Some(i),
                Err(_) => {
                    let refill = Refill {
                        form: "instansi",
                        ..fail("pilih instansi dari daftar".into())
                    };
                    return users_page(&req, &visitor, refill).await;
                }
            },
        });
    }
    if let Some(r) = f.peran.as_deref().filter(|r| !r.is_empty()) {
        match Role::from_code(r) {
            Some(role) => change.role = Some(role),
            None => {
                return users_page(&req, &visitor, fail("pilih peran dari daftar".into())).await
            }
        }
    }
    match f.nonaktif.as_deref() {
        Some("ya") => change.disabled = Some(true),
        Some("tidak") => change.disabled = Some(false),
        None | Some("") => {}
        Some(_) => return users_page(&req, &visitor, fail("pilihan tidak dikenal".into())).await,
    }
    match f.penyetuju.as_deref() {
        Some("ya") => change.approver = Some(true),
        Some("tidak") => change.approver = Some(false),
        None | Some("") => {}
        Some(_) => return users_page(&req, &visitor, fail("pilihan tidak dikenal".into())).await,
    }
    if let Some(raw) = f.sandi.as_deref() {
        match NewPassword::parse(raw) {
            Ok(pw) => {
                let hash = web::block(move || crate::auth::password::hash(pw.expose()))
                    .await
                    .map_err(ApiError::from)?
                    .map_err(|_| ApiError::internal())?;
                change.password_hash = Some(hash);
            }
            Err(m) => {
                let m = crate::domain::words::capitalized(&m) + ".";
                return users_page(&req, &visitor, fail(m)).await;
            }
        }
    }
    if change.role.is_none()
        && change.institution_id.is_none()
        && change.disabled.is_none()
        && change.password_hash.is_none()
        && change.approver.is_none()
    {
        return users_page(&req, &visitor, fail("tidak ada yang diubah".into())).await;
    }
    let state = state(&req)?;
    let actor = visitor.actor.clone();
    let done = run(&state, move |c| app::users::change(c, &actor, id, &change)).await;
    match done {
        Ok(v) => {
            // The API's tokens of this account end now, as after the API's change.
            state.sessions.forget(id);
            let what = if f.sandi.is_some() {
                "memiliki kata sandi baru; sesi dan tokennya berakhir. Sampaikan kata sandinya secara langsung".to_string()
            } else if f.instansi.is_some() {
                "kini tercatat pada instansi yang dipilih; sesi dan tokennya berakhir".to_string()
            } else if f.penyetuju.is_some() {
                if v.approver {
                    "sekarang penyetuju draf kantornya".to_string()
                } else {
                    "bukan penyetuju draf lagi".to_string()
                }
            } else if f.nonaktif.is_some() {
                if v.disabled {
                    "dinonaktifkan; akun ini tidak dapat masuk lagi".to_string()
                } else {
                    "diaktifkan kembali".to_string()
                }
            } else {
                format!("sekarang berperan {}", v.role.label())
            };
            Ok(render::see_other(
                "/admin/pengguna",
                &format!("Akun {} {what}.", v.username),
            ))
        }
        Err(e) if is_invalid(&e) => {
            let mut refill = fail(message(&e));
            if f.instansi.is_some() {
                refill.form = "instansi";
            }
            users_page(&req, &visitor, refill).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- /admin/hari-libur ----------------------------------------------------------

#[derive(Deserialize)]
struct YearQuery {
    tahun: Option<String>,
}

fn year_of(q: &Option<String>) -> Result<i32, PageError> {
    match q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(crate::today_jakarta().year()),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .ok_or_else(|| ApiError::bad_request("tahun harus antara 1900 dan 2200").into()),
    }
}

fn kind_label(k: HolidayKind) -> &'static str {
    match k {
        HolidayKind::LiburNasional => "Libur nasional",
        HolidayKind::CutiBersama => "Cuti bersama",
    }
}

async fn holidays_show(
    req: HttpRequest,
    visitor: Visitor,
    q: web::Query<YearQuery>,
) -> Result<HttpResponse, PageError> {
    let year = year_of(&q.tahun)?;
    holidays_page(&req, &visitor, year, Refill::default()).await
}

async fn holidays_page(
    req: &HttpRequest,
    visitor: &Visitor,
    year: i32,
    refill: Refill,
) -> Result<HttpResponse, PageError> {
    policy::allow(&visitor.actor, Action::WriteHolidays)?;
    let state = state(req)?;
    let (days, years) = run(&state, move |c| {
        Ok((holidays::list(c, Some(year))?, holidays::decree_years(c)?))
    })
    .await?;
    let this_year = crate::today_jakarta().year();
    let mut choices: Vec<i32> = years.iter().map(|y| y.year).collect();
    choices.extend([this_year, this_year + 1, year]);
    choices.sort_unstable();
    choices.dedup();
    let decree = years.iter().find(|y| y.year == year);
    let days: Vec<Value> = days
        .iter()
        .map(|h| {
            json!({
                "date": h.date,
                "weekday": crate::domain::words::day_name(h.date),
                "kind": kind_label(h.kind),
                "name": h.name,
                "source": h.source,
            })
        })
        .collect();
    let years_json: Vec<Value> = years
        .iter()
        .map(|y| {
            json!({"year": y.year, "decree": y.decree, "days": y.days,
                   "origin": match y.origin.as_str() { "shipped" => "tabel bawaan", "import" => "impor kantor", _ => "sudah ada" },
                   "current": y.year == year})
        })
        .collect();
    let choices: Vec<Value> = choices
        .iter()
        .map(|y| json!({"year": y, "selected": *y == year}))
        .collect();
    let ctx = json!({
        "year": year,
        "days": days,
        "decree": decree.map(|d| json!({"decree": d.decree, "days": d.days})),
        "years": years_json,
        "choices": choices,
        "form": refill.form,
        "values": refill.values,
        "errors": refill.errors,
    });
    let r = render::page(req, visitor, "admin_hari_libur", "Hari libur", "admin", ctx);
    Ok(refill.answer(r))
}

/// One day as the form sends it.
#[derive(Deserialize, Serialize)]
struct HolidayForm {
    #[serde(default)]
    tanggal: String,
    #[serde(default)]
    jenis: String,
    #[serde(default)]
    nama: String,
    #[serde(default)]
    sumber: String,
    #[serde(default)]
    tahun: String,
}

async fn put_holiday(
    req: HttpRequest,
    form: Posted<HolidayForm>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, f) = form;
    let shown = year_of(&Some(f.tahun.clone())).unwrap_or_else(|_| crate::today_jakarta().year());
    let mut errors = BTreeMap::new();
    let date = NaiveDate::parse_from_str(f.tanggal.trim(), "%Y-%m-%d").ok();
    if date.is_none() {
        errors.insert(
            "tanggal".to_string(),
            "isi tanggal (hari, bulan, tahun)".to_string(),
        );
    }
    let kind = match f.jenis.as_str() {
        "libur_nasional" => Some(HolidayKind::LiburNasional),
        "cuti_bersama" => Some(HolidayKind::CutiBersama),
        _ => {
            errors.insert(
                "jenis".to_string(),
                "pilih libur nasional atau cuti bersama".to_string(),
            );
            None
        }
    };
    if f.nama.trim().is_empty() {
        errors.insert("nama".to_string(), "tulis nama hari libur".to_string());
    }
    let refill = |errors| Refill {
        form: "satu",
        values: serde_json::to_value(&f).unwrap_or_default(),
        errors,
    };
    let (Some(date), Some(kind)) = (date, kind) else {
        return holidays_page(&req, &visitor, shown, refill(errors)).await;
    };
    if !errors.is_empty() {
        return holidays_page(&req, &visitor, shown, refill(errors)).await;
    }
    let day = Holiday {
        date,
        kind,
        name: f.nama.trim().to_string(),
        source: Some(f.sumber.trim().to_string()).filter(|s| !s.is_empty()),
    };
    let state = state(&req)?;
    let actor = visitor.actor.clone();
    match run(&state, move |c| app::holidays::put(c, &actor, &day)).await {
        Ok(h) => Ok(render::see_other(
            &format!("/admin/hari-libur?tahun={}", h.date.year()),
            &format!(
                "{} disimpan: {} ({}).",
                crate::domain::words::date_long(h.date),
                h.name,
                kind_label(h.kind).to_lowercase()
            ),
        )),
        Err(e) if is_invalid(&e) => {
            let errors = BTreeMap::from([("nama".to_string(), message(&e))]);
            holidays_page(&req, &visitor, shown, refill(errors)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete_holiday(
    req: HttpRequest,
    date: web::Path<String>,
    form: Posted<Nothing>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, _) = form;
    let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .map_err(|_| ApiError::not_found("hari libur pada tanggal itu"))?;
    let state = state(&req)?;
    let actor = visitor.actor.clone();
    run(&state, move |c| app::holidays::delete(c, &actor, date)).await?;
    Ok(render::see_other(
        &format!("/admin/hari-libur?tahun={}", date.year()),
        &format!(
            "{} dihapus dari tabel hari libur; hari itu kini dihitung hari kerja bila jatuh Senin–Jumat.",
            crate::domain::words::date_long(date)
        ),
    ))
}

#[derive(Deserialize)]
struct Nothing {}

#[derive(Deserialize, Serialize)]
struct ImportForm {
    #[serde(default)]
    csv: String,
    /// The chosen file's text (the form is sent as multipart); not echoed
    /// back into the page.
    #[serde(default, skip_serializing)]
    berkas: String,
    #[serde(default)]
    sumber: String,
    #[serde(default)]
    tahun: String,
}

async fn import_holidays(
    req: HttpRequest,
    form: Posted<ImportForm>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, f) = form;
    let shown = year_of(&Some(f.tahun.clone())).unwrap_or_else(|_| crate::today_jakarta().year());
    let refill = |message: String| Refill {
        form: "impor",
        values: serde_json::to_value(&f).unwrap_or_default(),
        errors: BTreeMap::from([("csv".to_string(), message)]),
    };
    let from_file = !f.berkas.trim().is_empty();
    let text = if from_file {
        f.berkas.trim()
    } else {
        f.csv.trim()
    };
    if text.is_empty() {
        let m = "pilih berkas CSV atau tempel isinya, dengan baris judul date,kind,name,source"
            .to_string();
        return holidays_page(&req, &visitor, shown, refill(m)).await;
    }
    let days = match parse_holidays_csv(text) {
        Ok(d) if d.is_empty() => {
            let m = "CSV hanya berisi baris judul; tidak ada hari libur untuk disimpan".to_string();
            return holidays_page(&req, &visitor, shown, refill(m)).await;
        }
        Ok(d) => d,
        Err(m) => return holidays_page(&req, &visitor, shown, refill(m)).await,
    };
    let source = match f.sumber.trim() {
        "" if from_file => format!("diunggah di halaman admin oleh {}", visitor.actor.name),
        "" => format!("ditempel di halaman admin oleh {}", visitor.actor.name),
        s => s.to_string(),
    };
    let first_year = days.iter().map(|d| d.date.year()).min().unwrap_or(shown);
    let n = days.len();
    let state = state(&req)?;
    let actor = visitor.actor.clone();
    match run(&state, move |c| {
        app::holidays::import(c, &actor, &days, &source)
    })
    .await
    {
        Ok(years) => {
            let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
            Ok(render::see_other(
                &format!("/admin/hari-libur?tahun={first_year}"),
                &format!(
                    "{n} hari libur disimpan; keputusan bersama tahun {} tercatat dimuat.",
                    years.join(", ")
                ),
            ))
        }
        Err(e) if is_invalid(&e) => holidays_page(&req, &visitor, shown, refill(message(&e))).await,
        Err(e) => Err(e.into()),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(home))
        .route("/admin/pengguna", web::get().to(users))
        .route("/admin/pengguna", web::post().to(add_user))
        .route("/admin/pengguna/{id}", web::post().to(change_user))
        .route(
            "/admin/pengguna/{id}/instansi",
            web::get().to(user_institution),
        )
        .route("/admin/hari-libur", web::get().to(holidays_show))
        .route("/admin/hari-libur", web::post().to(put_holiday))
        .route("/admin/hari-libur/impor", web::post().to(import_holidays))
        .route(
            "/admin/hari-libur/{date}/hapus",
            web::post().to(delete_holiday),
        );
}
