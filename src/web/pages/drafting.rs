//! Drafting in the browser (DESIGN.md §11): a new draft (from nothing, or
//! renewing or amending a signed agreement), a draft's form in sections
//! saved one at a time beside its live preview, its stages, and the
//! comparison of two versions. Every write goes through `app::drafts`, as
//! the API's do.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use handlebars::html_escape;
use serde::Deserialize;
use serde_json::{json, Value};

use super::draft_form::{self, Errors, Section, Sent};
use crate::app::drafts::{self, Blank, Start, VersionRef};
use crate::app::{self, policy};
use crate::domain::catalog::{AccessMethod, InstitutionKind};
use crate::domain::check::Severity;
use crate::domain::diff::{self, TextOp};
use crate::domain::drafting::Stage;
use crate::domain::words;
use crate::http::problem::ApiError;
use crate::http::{documents, run};
use crate::web::form::Posted;
use crate::web::render;
use crate::web::session::{state, Visitor};
use crate::web::PageError;

type Pairs = Vec<(String, String)>;

// ---- /perjanjian/baru -----------------------------------------------------------

/// What the "new draft" page was sent back with.
#[derive(Default)]
struct NewRefill {
    form: &'static str,
    values: Pairs,
    errors: Errors,
}

async fn new_page(req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, PageError> {
    new_render(&req, &visitor, NewRefill::default()).await
}

async fn new_render(
    req: &HttpRequest,
    visitor: &Visitor,
    refill: NewRefill,
) -> Result<HttpResponse, PageError> {
    policy::allow(&visitor.actor, policy::Action::CreateAgreement).map_err(ApiError::from)?;
    let state = state(req)?;
    let visible = visitor.actor.visible.clone();
    let mine = visitor.actor.institution_id;
    let offices = run(&state, move |c| {
        let only = visible.institutions(c)?;
        Ok(crate::store::institutions::offices(c, only.as_deref())?)
    })
    .await?;
    let sent = Sent(refill.values);
    let mine_or_sent = match sent.one("kantor") {
        "" => mine.map(|m| m.to_string()).unwrap_or_default(),
        s => s.to_string(),
    };
    let offices: Vec<Value> = offices
        .into_iter()
        .map(|(id, name)| json!({"id": id, "name": name, "selected": id.to_string() == mine_or_sent}))
        .collect();
    let kinds: Vec<Value> = InstitutionKind::ALL
        .iter()
        .filter(|k| !k.is_dukcapil())
        .map(|k| json!({"code": k.code(), "label": k.label(), "selected": sent.one("jenis_instansi") == k.code()}))
        .collect();
    let err = |form: &str, name: &str| {
        (refill.form == form)
            .then(|| refill.errors.get(name).cloned())
            .flatten()
    };
    let ctx = json!({
        "offices": offices,
        "single_office": offices.len() == 1,
        "kinds": kinds,
        "from": {
            "dari": if refill.form == "dari" { sent.one("dari") } else { "" },
            "jenis": sent.one("jenis"),
            "error": err("dari", "dari"),
        },
        "blank": {
            "judul": sent.one("judul"),
            "instansi": sent.one("instansi"),
            "maksud": sent.one("maksud"),
            "errors": {
                "judul": err("kosong", "judul"),
                "kantor": err("kosong", "kantor"),
                "instansi": err("kosong", "instansi"),
                "jenis_instansi": err("kosong", "jenis_instansi"),
                "_form": err("kosong", "_form"),
            },
        },
    });
    let mut r = render::page(req, visitor, "draf_baru", "Draf baru", "perjanjian", ctx);
    if !refill.errors.is_empty() {
        *r.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_create(req: HttpRequest, form: Posted<Pairs>) -> Result<HttpResponse, PageError> {
    let Posted(visitor, pairs) = form;
    let sent = Sent(pairs.clone());
    let state = state(&req)?;
    let cal = state.calendar();
    let actor = visitor.actor.clone();
    match sent.one("jenis") {
        "perpanjang" | "adendum" => {
            let start = if sent.one("jenis") == "adendum" {
                Start::Adendum
            } else {
                Start::Renewal
            };
            let text = sent.one("dari").to_string();
            let done = run(&state, move |c| {
                let id = drafts::find(c, &actor, &text)?;
                drafts::start_from(c, &actor, &cal, id, start)
            })
            .await;
            match done {
                Ok(view) => Ok(started(&view, start)),
                Err(e) if matches!(e.status.as_u16(), 409 | 422) => {
                    let message = e
                        .errors
                        .first()
                        .map(|f| f.message.clone())
                        .unwrap_or(e.detail);
                    let refill = NewRefill {
                        form: "dari",
                        values: pairs,
                        errors: Errors::from([("dari".into(), words::capitalized(&message))]),
                    };
                    new_render(&req, &visitor, refill).await
                }
                Err(e) => Err(e.into()),
            }
        }
        _ => {
            let mut errors = Errors::new();
            let office = sent.one("kantor").parse::<i64>();
            let kind = InstitutionKind::from_code(sent.one("jenis_instansi"));
            if office.is_err() {
                errors.insert("kantor".into(), "Pilih kantor PIHAK KESATU.".into());
            }
            if kind.is_none() {
                errors.insert(
                    "jenis_instansi".into(),
                    "Pilih jenis instansi PIHAK KEDUA.".into(),
                );
            }
            let (Ok(office_id), Some(agency_kind), true) = (office, kind, errors.is_empty()) else {
                let refill = NewRefill {
                    form: "kosong",
                    values: pairs,
                    errors,
                };
                return new_render(&req, &visitor, refill).await;
            };
            let blank = Blank {
                title: sent.one("judul").to_string(),
                office_id,
                agency: sent.one("instansi").to_string(),
                agency_kind,
                purpose: Some(sent.one("maksud").to_string()),
            };
            let done = run(&state, move |c| {
                drafts::start_blank(c, &actor, &cal, &blank)
            })
            .await;
            match done {
                Ok(view) => Ok(render::see_other(
                    &format!("/perjanjian/{}/ubah", view.id),
                    "Draf PKS dibuat. Lengkapi bagian-bagiannya; setiap simpanan menjadi satu versi.",
                )),
                Err(e) if e.status.as_u16() == 422 => {
                    let mut errors = Errors::new();
                    for f in &e.errors {
                        let name = match f.pointer.as_str() {
                            "/title" => "judul",
                            p if p.starts_with("/parties/0") => "kantor",
                            p if p.ends_with("/kind") => "jenis_instansi",
                            p if p.starts_with("/parties/1") => "instansi",
                            _ => "_form",
                        };
                        errors
                            .entry(name.into())
                            .or_insert_with(|| words::capitalized(&f.message) + ".");
                    }
                    let refill = NewRefill {
                        form: "kosong",
                        values: pairs,
                        errors,
                    };
                    new_render(&req, &visitor, refill).await
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

fn started(view: &crate::store::agreements::AgreementView, start: Start) -> HttpResponse {
    let what = match start {
        Start::Renewal => {
            "Draf perpanjangan dibuat dari perjanjian lama: para pihak, dasar hukum, lingkup akses, \
             Juknis dan aplikasi sudah terisi. Isi tanggal dan nomor surat yang baru."
        }
        Start::Adendum => {
            "Draf adendum dibuat dari isi perjanjian yang diubah. Ubah bagian yang berubah; \
             perbandingannya dengan perjanjian asal ada di bagian Versi."
        }
    };
    render::see_other(&format!("/perjanjian/{}/ubah", view.id), what)
}

/// "Perpanjang" and "Buat adendum" on a signed agreement's page.
async fn start_from(
    req: HttpRequest,
    path: web::Path<(i64, String)>,
    form: Posted<Pairs>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, _) = form;
    let (id, what) = path.into_inner();
    let start = match what.as_str() {
        "perpanjang" => Start::Renewal,
        "adendum" => Start::Adendum,
        _ => return Err(ApiError::not_found("tindakan tidak dikenal").into()),
    };
    let state = state(&req)?;
    let cal = state.calendar();
    let actor = visitor.actor.clone();
    match run(&state, move |c| {
        drafts::start_from(c, &actor, &cal, id, start)
    })
    .await
    {
        Ok(view) => Ok(started(&view, start)),
        Err(e) if e.status.as_u16() == 409 => Ok(render::see_other(
            &format!("/perjanjian/{id}"),
            &words::capitalized(&e.detail),
        )),
        Err(e) => Err(e.into()),
    }
}

// ---- /perjanjian/{id}/ubah ----------------------------------------------------------

#[derive(Deserialize)]
struct EditQuery {
    pratinjau: Option<String>,
}

/// What the draft's page was sent back with: the section (or `tahap`), what
/// was sent, and the errors beside its fields.
#[derive(Default)]
struct Refill {
    form: String,
    values: Pairs,
    errors: Errors,
}

async fn edit(
    req: HttpRequest,
    visitor: Visitor,
    id: web::Path<i64>,
    q: web::Query<EditQuery>,
) -> Result<HttpResponse, PageError> {
    let preview = q.into_inner().pratinjau;
    edit_render(
        &req,
        &visitor,
        id.into_inner(),
        preview.as_deref(),
        Refill::default(),
    )
    .await
}

async fn edit_render(
    req: &HttpRequest,
    visitor: &Visitor,
    id: i64,
    preview: Option<&str>,
    refill: Refill,
) -> Result<HttpResponse, PageError> {
    policy::allow(&visitor.actor, policy::Action::EditAgreement).map_err(ApiError::from)?;
    let state = state(req)?;
    let actor = visitor.actor.clone();
    let max_term = state.max_term_months;
    let today = crate::today_jakarta();
    let (view, findings, versions, approver, moved) = run(&state, move |c| {
        let view = drafts::draft(c, &actor, id)?;
        let findings = app::agreements::check_read(c, &view.doc, today, max_term)?;
        let versions = drafts::versions(c, &actor, id)?;
        let approver = policy::approves(c, &actor).is_ok();
        let moved = drafts::last_move(c, &actor, id)?;
        Ok((view, findings, versions, approver, moved))
    })
    .await?;
    let Some(stage) = view.stage else {
        return Ok(render::see_other(
            &format!("/perjanjian/{id}"),
            "Perjanjian ini sudah ditandatangani; perubahannya dibuat melalui adendum.",
        ));
    };
    let doc = &view.doc;
    let sent = Sent(refill.values.clone());
    let no_errors = Errors::new();
    let sections: Vec<Value> = Section::ALL
        .iter()
        .filter(|s| **s != Section::Tandatangan || stage == Stage::Disetujui)
        .map(|s| {
            let mine = refill.form == s.slug();
            let (sent, errors) = if mine {
                (Some(&sent), &refill.errors)
            } else {
                (None, &no_errors)
            };
            draft_form::view(*s, doc, sent, errors)
        })
        .collect();
    // A finding links to the field it names where the form has one, else
    // to its section.
    let ids: std::collections::HashSet<String> = sections
        .iter()
        .flat_map(|s| {
            let groups = s["groups"].as_array().into_iter().flatten();
            let nested = groups.flat_map(|g| g["fields"].as_array().into_iter().flatten());
            s["fields"].as_array().into_iter().flatten().chain(nested)
        })
        .filter_map(|f| f["id"].as_str().map(str::to_string))
        .collect();
    let findings: Vec<Value> = findings
        .iter()
        .map(|f| {
            let section = Section::of_pointer(&f.pointer);
            let field = draft_form::id_of(&f.pointer);
            let href = if ids.contains(&field) {
                format!("#{field}")
            } else {
                format!("#bagian-{}", section.slug())
            };
            json!({
                "severity": if f.severity == Severity::Error { "error" } else { "warning" },
                "message": f.message,
                "href": href,
                "section": section.title(),
            })
        })
        .collect();
    let blocking = findings.iter().filter(|f| f["severity"] == "error").count();
    let preview = match preview {
        Some("juknis") if doc.juknis.is_some() => "juknis",
        _ => "pks",
    };
    let source = view
        .doc
        .amends
        .as_ref()
        .and_then(|a| a.id)
        .map(|a| json!({"id": a, "label": "PKS yang diubah adendum ini"}))
        .or_else(|| {
            view.renews_id
                .map(|r| json!({"id": r, "label": "PKS yang diperpanjang"}))
        });
    let latest = versions.first().map(|v| v.number);
    // The latest saves; the comparison page chooses among all of them.
    let versions_json: Vec<Value> = versions
        .iter()
        .take(SHOWN_VERSIONS)
        .map(|v| {
            json!({
                "number": v.number,
                "saved_at": v.saved_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
                "actor": v.actor,
                "note": v.note,
                "a_checked": Some(v.number) == latest.map(|l| l - 1),
                "b_checked": Some(v.number) == latest,
            })
        })
        .collect();
    let tahap = refill.form == "tahap";
    let ctx = json!({
        "id": id,
        "judul": doc.title,
        "kind": doc.kind.label(),
        "stage": {"code": stage.code(), "label": stage.label()},
        "steps": Stage::ALL.iter().map(|s| json!({
            "label": s.label(),
            "current": *s == stage,
        })).collect::<Vec<_>>(),
        "source": source,
        "sections": sections,
        "preview": preview,
        "has_juknis": doc.juknis.is_some(),
        "findings": findings,
        "blocking": blocking,
        "versions": versions_json,
        "versions_total": versions.len(),
        "versions_more": versions.len() > SHOWN_VERSIONS,
        "has_versions": versions.len() > 1 || source.is_some(),
        "can_submit": stage == Stage::Draf,
        "can_review": approver && stage == Stage::Ditinjau,
        "can_withdraw": approver && stage == Stage::Disetujui,
        "waiting_approver": !approver && stage == Stage::Ditinjau,
        "moved": moved.map(|m| json!({
            "at": m.at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            "actor": m.actor,
            "sent_back": m.to == Some(Stage::Draf),
            "to": m.to.map(|s| s.label()),
            "note": m.note,
        })),
        "stage_errors": if tahap { refill.errors.values().cloned().collect::<Vec<_>>() } else { vec![] },
        "stage_note": if tahap { sent.one("catatan").to_string() } else { String::new() },
    });
    let mut r = render::page(
        req,
        visitor,
        "draf_ubah",
        &format!("Ubah draf: {}", doc.title),
        "perjanjian",
        ctx,
    );
    if !refill.errors.is_empty() {
        *r.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// How many of a draft's latest versions its page lists.
const SHOWN_VERSIONS: usize = 12;

/// Saves one section of a draft: its merge patch through the core, as one
/// version; nothing is written when any of it is refused.
async fn save(
    req: HttpRequest,
    path: web::Path<(i64, String)>,
    form: Posted<Pairs>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, pairs) = form;
    let (id, slug) = path.into_inner();
    let section = Section::from_slug(&slug).ok_or_else(|| {
        ApiError::not_found(format!("bagian '{slug}' tidak ada pada formulir draf"))
    })?;
    let state = state(&req)?;
    let cal = state.calendar();
    let actor = visitor.actor.clone();
    let view = run(&state, move |c| drafts::draft(c, &actor, id)).await?;
    let sent = Sent(pairs.clone());
    let back = |errors: Errors| Refill {
        form: slug.clone(),
        values: pairs.clone(),
        errors,
    };
    let (patch, renames) = match draft_form::patch(section, &view.doc, &sent) {
        Ok(p) => p,
        Err(errors) => {
            let errors = errors
                .into_iter()
                .map(|(k, v)| (k, words::capitalized(&v) + "."))
                .collect();
            return edit_render(&req, &visitor, id, None, back(errors)).await;
        }
    };
    let note = match sent.one("catatan") {
        "" => format!("Ubah {}", section.title().to_lowercase()),
        n => n.to_string(),
    };
    let actor = visitor.actor.clone();
    let done = run(&state, move |c| {
        drafts::save(c, &actor, &cal, id, &patch, &note)
    })
    .await;
    match done {
        Ok(after) if after.stage.is_none() => Ok(render::see_other(
            &format!("/perjanjian/{id}"),
            &format!(
                "Penandatanganan tercatat: perjanjian berlaku sejak {}; kewajibannya berjalan.",
                after
                    .doc
                    .signed_on
                    .map(words::date_long)
                    .unwrap_or_default()
            ),
        )),
        Ok(after) => {
            let back_to_review =
                view.stage == Some(Stage::Disetujui) && after.stage == Some(Stage::Ditinjau);
            let message = if back_to_review {
                format!(
                    "Bagian \"{}\" tersimpan. Draf yang sudah disetujui ini berubah, maka kembali ke tahap Ditinjau.",
                    section.title()
                )
            } else {
                format!("Bagian \"{}\" tersimpan.", section.title())
            };
            Ok(render::see_other(
                &format!("/perjanjian/{id}/ubah#bagian-{}", section.slug()),
                &message,
            ))
        }
        Err(e) if matches!(e.status.as_u16(), 409 | 422) => {
            let errors = if e.errors.is_empty() {
                Errors::from([("_form".to_string(), words::capitalized(&e.detail))])
            } else {
                draft_form::place(section, &view.doc, &e.errors, &renames)
                    .into_iter()
                    .map(|(k, v)| (k, words::capitalized(&v) + "."))
                    .collect()
            };
            edit_render(&req, &visitor, id, None, back(errors)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Moves the draft to another stage: submit for review, approve, send back.
async fn move_stage(
    req: HttpRequest,
    id: web::Path<i64>,
    form: Posted<Pairs>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, pairs) = form;
    let id = id.into_inner();
    let sent = Sent(pairs.clone());
    let Some(to) = Stage::from_code(sent.one("ke")) else {
        return Err(ApiError::bad_request("tahap tujuan tidak dikenal").into());
    };
    let note = sent.one("catatan").to_string();
    let state = state(&req)?;
    let cal = state.calendar();
    let max_term = state.max_term_months;
    let actor = visitor.actor.clone();
    let done = run(&state, move |c| {
        drafts::move_stage(c, &actor, &cal, id, to, &note, max_term)
    })
    .await;
    let message = match to {
        Stage::Ditinjau => "Draf diajukan untuk ditinjau.",
        Stage::Disetujui => "Draf disetujui untuk ditandatangani. Setelah ditandatangani, catat tanggal dan nomornya.",
        Stage::Draf => "Draf dikembalikan kepada penyusunnya dengan catatan.",
    };
    match done {
        Ok(_) => Ok(render::see_other(
            &format!("/perjanjian/{id}/ubah#tahap"),
            message,
        )),
        Err(e) if matches!(e.status.as_u16(), 403 | 409 | 422) => {
            let mut errors = Errors::new();
            if e.errors.is_empty() || e.errors.iter().any(|f| f.pointer == "/note") {
                let m = e
                    .errors
                    .first()
                    .map(|f| f.message.clone())
                    .unwrap_or(e.detail);
                errors.insert("_form".into(), words::capitalized(&m) + ".");
            } else {
                errors.insert(
                    "_form".into(),
                    format!(
                        "Persetujuan terhalang oleh {} temuan galat pemeriksaan konsistensi; perbaiki dulu bagian yang ditunjuk.",
                        words::count(e.errors.len() as u64)
                    ),
                );
            }
            let refill = Refill {
                form: "tahap".into(),
                values: pairs,
                errors,
            };
            edit_render(&req, &visitor, id, None, refill).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The draft's document as it will print, for the frame beside the form:
/// the one page of the site that may be framed, and only by the site.
async fn preview(
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, file) = path.into_inner();
    let kind = match file.as_str() {
        "pks.html" => "pks.html",
        "juknis.html" => "juknis.html",
        _ => {
            return Err(
                ApiError::not_found("pratinjau tidak dikenal: pks.html atau juknis.html").into(),
            )
        }
    };
    let state = state(&req)?;
    match documents::draw(&state, visitor.actor, id, kind, None, None, None).await {
        Ok(mut r) => {
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                header::HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'",
                ),
            );
            h.insert(
                header::X_FRAME_OPTIONS,
                header::HeaderValue::from_static("SAMEORIGIN"),
            );
            Ok(r)
        }
        Err(e) if e.status.as_u16() == 422 => {
            let body = format!(
                "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>Pratinjau</title></head>\
                 <body style=\"font-family: sans-serif; padding: 1rem\"><p>Pratinjau belum dapat disusun: {}.</p></body></html>",
                html_escape(&e.detail)
            );
            Ok(HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .insert_header((
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'",
                ))
                .insert_header((header::X_FRAME_OPTIONS, "SAMEORIGIN"))
                .body(body))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- /perjanjian/{id}/banding ---------------------------------------------------------

#[derive(Deserialize)]
struct CompareQuery {
    a: Option<String>,
    b: Option<String>,
}

async fn compare(
    req: HttpRequest,
    visitor: Visitor,
    id: web::Path<i64>,
    q: web::Query<CompareQuery>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let q = q.into_inner();
    let state = state(&req)?;
    let actor = visitor.actor.clone();
    let versions = run(&state, move |c| drafts::versions(c, &actor, id)).await?;
    let latest = versions.first().map(|v| v.number);
    let pick = |s: &Option<String>, default: Option<i32>| -> Result<VersionRef, ApiError> {
        match s.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => VersionRef::parse(s)
                .ok_or_else(|| ApiError::not_found(format!("versi '{s}' tidak dikenal"))),
            None => Ok(default.map(VersionRef::Number).unwrap_or(VersionRef::Now)),
        }
    };
    let a = pick(&q.a, latest.map(|l| (l - 1).max(1)))?;
    let b = pick(&q.b, latest)?;
    let renderer = state.documents.clone();
    let actor = visitor.actor.clone();
    let cmp = run(&state, move |c| {
        drafts::compare(c, &actor, &renderer, id, a, b)
    })
    .await?;
    let view_actor = visitor.actor.clone();
    let view = run(&state, move |c| drafts::draft(c, &view_actor, id)).await?;
    let code = |r: VersionRef| match r {
        VersionRef::Number(n) => n.to_string(),
        VersionRef::Now => "kini".into(),
        VersionRef::Source => "asal".into(),
    };
    let has_source =
        view.doc.amends.as_ref().and_then(|a| a.id).is_some() || view.renews_id.is_some();
    let mut choices: Vec<(String, String)> = versions
        .iter()
        .map(|v| {
            (
                v.number.to_string(),
                format!("Versi {} — {}", v.number, v.note),
            )
        })
        .collect();
    choices.push(("kini".into(), "Isi sekarang".into()));
    if has_source {
        choices.push((
            "asal".into(),
            "Perjanjian asal (yang diubah/diperpanjang)".into(),
        ));
    }
    let opts = |chosen: &str| -> Vec<Value> {
        choices
            .iter()
            .map(|(v, l)| json!({"value": v, "label": l, "selected": v == chosen}))
            .collect()
    };
    let shown = |v: &Option<String>| v.as_deref().map(display_value).unwrap_or_default();
    let fields: Vec<Value> = cmp
        .diff
        .fields
        .iter()
        .map(|f| json!({"label": f.label, "before": shown(&f.before), "after": shown(&f.after), "field": f.field}))
        .collect();
    let label_of = |code: &String| {
        crate::domain::catalog::element(code)
            .map(|e| e.label.to_string())
            .unwrap_or_else(|| code.clone())
    };
    let scope: Vec<Value> = cmp
        .diff
        .scope
        .iter()
        .map(|s| {
            let quota = s.quota.as_ref().map(|q| {
                let hits = |n: Option<u32>| n.map(|n| format!("{} per hari", words::grouped(n as u64))).unwrap_or_else(|| "tanpa batas".into());
                json!({"before": hits(q.before), "after": hits(q.after),
                       "unlimited_changed": q.unlimited_after_poc_before != q.unlimited_after_poc_after,
                       "unlimited_after": q.unlimited_after_poc_after})
            });
            json!({
                "method": AccessMethod::label(s.method),
                "added": s.added.iter().map(label_of).collect::<Vec<_>>(),
                "removed": s.removed.iter().map(label_of).collect::<Vec<_>>(),
                "quota": quota,
            })
        })
        .collect();
    let text: Vec<Value> = diff::trimmed(&cmp.diff.text, 12)
        .into_iter()
        .map(|p| {
            json!({
                "op": match p.op { TextOp::Same => "same", TextOp::Added => "added", TextOp::Removed => "removed" },
                "text": p.text,
            })
        })
        .collect();
    let changed_text = cmp.diff.text.iter().any(|p| p.op != TextOp::Same);
    let ctx = json!({
        "id": id,
        "judul": view.doc.title,
        "a": cmp.a,
        "b": cmp.b,
        "a_options": opts(&code(a)),
        "b_options": opts(&code(b)),
        "fields": fields,
        "scope": scope,
        "text": text,
        "changed_text": changed_text,
        "same": fields.is_empty() && scope.is_empty() && !changed_text,
        "draft": view.stage.is_some(),
    });
    Ok(render::page(
        &req,
        &visitor,
        "draf_banding",
        &format!("Bandingkan versi: {}", view.doc.title),
        "perjanjian",
        ctx,
    ))
}

/// A value of the import shape as a legal officer reads it: dates in words.
fn display_value(v: &str) -> String {
    match v.parse::<chrono::NaiveDate>() {
        Ok(d) => words::date_long(d),
        Err(_) => match v {
            "true" => "ya".into(),
            "false" => "tidak".into(),
            other => other.to_string(),
        },
    }
}

/// A NIP, NIK or letter number checked as it is typed (htmx), by the same
/// rule the core applies when the section is saved.
async fn check_value(_visitor: Visitor, q: web::Query<Pairs>) -> HttpResponse {
    let q = q.into_inner();
    let kind = q
        .iter()
        .find(|(k, _)| k == "jenis")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let value = q
        .iter()
        .find(|(k, _)| k != "jenis")
        .map(|(_, v)| v.trim())
        .unwrap_or("");
    let said = if value.is_empty() {
        String::new()
    } else {
        let checked = match kind {
            "nip" => {
                crate::domain::Nip::parse(value).map(|n| format!("NIP sah: {}", n.display_form()))
            }
            "nik" => crate::domain::Nik::parse(value).map(|_| "NIK sah".to_string()),
            "nomor" => {
                crate::domain::LetterNumber::parse(value).map(|_| "Nomor surat sah".to_string())
            }
            _ => Ok(String::new()),
        };
        match checked {
            Ok(m) => html_escape(&m),
            Err(m) => format!(
                "<span class=\"teks-merah\">{}</span>",
                html_escape(&words::capitalized(&m))
            ),
        }
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, render::CSP))
        .body(said)
}

/// Agencies whose name holds what is being typed (htmx fills the field's
/// datalist): an existing institution is picked by its exact name, a new
/// name makes a new one when the draft is saved.
async fn agencies(
    req: HttpRequest,
    visitor: Visitor,
    q: web::Query<Pairs>,
) -> Result<HttpResponse, PageError> {
    let text = q
        .into_inner()
        .into_iter()
        .map(|(_, v)| v)
        .next()
        .unwrap_or_default();
    let state = state(&req)?;
    let actor = visitor.actor.clone();
    let names = run(&state, move |c| {
        app::parties::agencies_named(c, &actor, &text)
    })
    .await?;
    let options: String = names
        .iter()
        .map(|n| format!("<option value=\"{}\"></option>", html_escape(n)))
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, render::CSP))
        .body(options))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/perjanjian/periksa", web::get().to(check_value))
        .route("/perjanjian/instansi", web::get().to(agencies))
        .route("/perjanjian/baru", web::get().to(new_page))
        .route("/perjanjian/baru", web::post().to(new_create))
        .route("/perjanjian/{id}/ubah", web::get().to(edit))
        .route("/perjanjian/{id}/ubah/{bagian}", web::post().to(save))
        .route("/perjanjian/{id}/tahap", web::post().to(move_stage))
        .route("/perjanjian/{id}/pratinjau/{file}", web::get().to(preview))
        .route("/perjanjian/{id}/banding", web::get().to(compare))
        .route("/perjanjian/{id}/mulai/{what}", web::post().to(start_from));
}
