//! One agreement (`/perjanjian/{id}`): everything about it on one page,
//! its documents, and the forms that record what arrived (a semester
//! report) or what the office decided (a waiver) — each through the core.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use super::record_forms::{self, Errors, Fields, Spec, Target};
use crate::app::{self, policy};
use crate::domain::agreement::{Certificate, Renewal, Report, Statement};
use crate::http::problem::ApiError;
use crate::http::{documents, run};
use crate::store::records::Record;
use crate::web::form::Posted;
use crate::web::render;
use crate::web::session::{state, Visitor};
use crate::web::PageError;

#[derive(Deserialize)]
struct AsOf {
    per: Option<String>,
}

/// What a form sent back with its errors, to show beside its fields.
#[derive(Default)]
pub(super) struct Refill {
    /// The form's slug (`laporan`…), `pengecualian`,
    /// `undang`, or `kembalikan:` with the submission's id.
    pub form: String,
    pub values: Fields,
    pub errors: Errors,
}

/// The agreement's page with one of its record forms open: what the form's
/// link on the page fetches (into its place by htmx, or as the page).
async fn show_form(
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = path.into_inner();
    let refill = Refill {
        form,
        ..Refill::default()
    };
    render_page(&req, &visitor, id, None, refill).await
}

async fn show(
    req: HttpRequest,
    visitor: Visitor,
    id: web::Path<i64>,
    q: web::Query<AsOf>,
) -> Result<HttpResponse, PageError> {
    let as_of = super::date_param("per", &q.per)?;
    render_page(&req, &visitor, id.into_inner(), as_of, Refill::default()).await
}

pub(super) async fn render_page(
    req: &HttpRequest,
    visitor: &Visitor,
    id: i64,
    as_of: Option<NaiveDate>,
    refill: Refill,
) -> Result<HttpResponse, PageError> {
    let state = state(req)?;
    let today = crate::today_jakarta();
    let date = as_of.unwrap_or(today);
    let cal = state.calendar();
    let actor = visitor.actor.clone();
    let max_term = state.max_term_months;
    let app::agreements::Whole {
        view,
        findings,
        history: (history_total, history),
        submissions,
    } = run(&state, move |c| {
        app::agreements::whole(c, &actor, id, date, &cal, max_term, 20)
    })
    .await?;
    // The obligations are shown from their own list (the timeline), not
    // from the agreement's tree, which is serialised without them.
    let mut view = view;
    let obligations = std::mem::take(&mut view.obligations);
    let mut a = serde_json::to_value(&view).map_err(|_| ApiError::internal())?;
    if let Some(entitled) = visitor.actor.entitled() {
        crate::domain::privacy::mask(&mut a, entitled);
    }
    let can_waive = policy::allow(&visitor.actor, policy::Action::WaiveObligation).is_ok();
    let can_review = policy::allow(&visitor.actor, policy::Action::ReviewSubmission).is_ok();
    let can_invite = policy::allow(
        &visitor.actor,
        policy::Action::CreateUser {
            role: crate::domain::catalog::Role::Opd,
        },
    )
    .is_ok();
    let returning = refill
        .form
        .strip_prefix("kembalikan:")
        .and_then(|s| s.parse::<i64>().ok());
    let submissions: Vec<Value> = submissions
        .iter()
        .map(|s| {
            let o = obligations
                .iter()
                .find(|o| o.key == s.submission.obligation_key);
            json!({
                "s": s.submission,
                "details": s.submission.details(),
                "size": crate::domain::words::file_size(s.size),
                "uploaded": s.submission.uploaded_on(),
                "obligation": o.map(|o| o.kind.code()),
                "subject": o.and_then(|o| o.subject.clone()),
                "waiting": s.submission.state == crate::store::submissions::SUBMITTED,
                "reason_error": (returning == Some(s.submission.id))
                    .then(|| refill.errors.get("catatan").cloned())
                    .flatten(),
            })
        })
        .collect();
    let invitees = invitees(&view.doc);
    // Only the form being opened or sent back is built; the others are a
    // title and a link that fetches the page with that form open (most
    // visits open none, and six forms were a third of the page's render).
    let forms: Vec<Value> = record_forms::specs(&obligations, view.doc.terms.card_reader)
        .iter()
        .filter(|spec| allowed(&visitor.actor, spec.target))
        .map(|spec| {
            if refill.form == spec.slug {
                let mut v = spec.view(&refill.values, &refill.errors, today);
                v["open"] = Value::Bool(true);
                v
            } else {
                json!({"slug": spec.slug, "title": spec.title})
            }
        })
        .collect();
    let known = refill.form.is_empty()
        || matches!(refill.form.as_str(), "pengecualian" | "undang")
        || returning.is_some()
        || forms.iter().any(|f| f["slug"] == refill.form.as_str());
    if !known {
        return Err(ApiError::not_found(format!(
            "formulir '{}' tidak ada pada perjanjian ini",
            refill.form
        ))
        .into());
    }
    let documents: Vec<Value> = DOCUMENTS
        .iter()
        .map(|(kind, label)| json!({"kind": kind, "label": label}))
        .collect();
    let title = view.doc.title.clone();
    let can_draft = policy::allow(&visitor.actor, policy::Action::CreateAgreement).is_ok();
    let waiting = submissions.iter().filter(|s| s["waiting"] == true).count();
    let waivable: Vec<Value> = obligations
        .iter()
        .filter(|o| o.fulfilled_on.is_none() && o.waiver_reason.is_none())
        .map(|o| {
            json!({
                "key": o.key,
                "kind": o.kind.code(),
                "subject": o.subject,
                "selected": refill.form == "pengecualian"
                    && refill.values.get("kunci") == Some(&o.key),
            })
        })
        .collect();
    let timeline: Vec<Value> = obligations.iter().map(|o| timeline_entry(id, o)).collect();
    let mut ctx = json!({
        "id": id,
        "can_draft": can_draft,
        "stage_label": view.stage.map(|s| s.label()),
        "as_of": date,
        "historic": as_of.is_some_and(|d| d != today),
        "today": today,
        "findings": findings,
        "history": history,
        "history_total": history_total,
        "can_waive": can_waive,
        "waiver": (refill.form == "pengecualian").then(|| json!({
            "values": refill.values,
            "errors": refill.errors,
        })),
        "waiting": waiting,
        "can_review": can_review,
        "can_invite": can_invite,
        "invite": (refill.form == "undang").then(|| json!({
            "values": refill.values,
            "errors": refill.errors,
        })),
    });
    // Moved in rather than written into `json!`, which serialises a copy of
    // every value it is given (the agreement's tree: a tenth of the page).
    ctx["a"] = a;
    ctx["forms"] = Value::Array(forms);
    ctx["documents"] = Value::Array(documents);
    ctx["submissions"] = Value::Array(submissions);
    ctx["invitees"] = Value::Array(invitees);
    ctx["waivable"] = Value::Array(waivable);
    ctx["timeline"] = Value::Array(timeline);
    let mut r = render::page(req, visitor, "perjanjian_satu", &title, "perjanjian", ctx);
    if !refill.errors.is_empty() {
        *r.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// One obligation on the page's timeline, its words put together here:
/// the timeline is the page's longest list, and through the template's
/// helpers and conditions it was a third of the page's rendering.
fn timeline_entry(id: i64, o: &crate::domain::obligations::Obligation) -> Value {
    use crate::domain::words;
    let mut title = words::capitalized(o.kind.label());
    if let Some(subject) = &o.subject {
        title.push_str(" — ");
        title.push_str(subject);
    }
    let due = match o.due_on {
        Some(d) => format!("Tenggat {}", words::date_short(d)),
        None => "Tanpa tenggat; harus sebelum akses.".to_string(),
    };
    let mut after = String::new();
    if let Some(d) = o.fulfilled_on {
        after.push_str(" · dipenuhi ");
        after.push_str(&words::date_short(d));
    }
    if let Some(reason) = &o.waiver_reason {
        after.push_str(" · dikecualikan: ");
        after.push_str(reason);
    }
    let open = o.fulfilled_on.is_none() && o.waiver_reason.is_none();
    json!({
        "state": o.state.code(),
        "state_label": o.state.label(),
        "title": title,
        "due": due,
        "provisional": o.due_on.is_some() && o.provisional,
        "after": after,
        "task": open.then(|| format!(
            "/portal/tugas/{id}/{}",
            crate::web::form::segment(&o.key)
        )),
    })
}

/// The people of PIHAK KEDUA with an address on record, to invite in one
/// click: its head, then its Juknis contacts.
fn invitees(doc: &crate::domain::agreement::AgreementDoc) -> Vec<Value> {
    use crate::domain::catalog::Side;
    let head = doc
        .party(Side::Second)
        .and_then(|p| p.signatory.as_ref())
        .and_then(|p| {
            p.email
                .as_ref()
                .map(|e| (p.name.clone(), e.to_string(), "pimpinan"))
        });
    let contacts = doc
        .juknis
        .iter()
        .flat_map(|j| j.contacts.iter())
        .filter(|c| c.side == Side::Second)
        .filter_map(|c| {
            c.email
                .as_ref()
                .map(|e| (c.name.clone(), e.to_string(), "narahubung"))
        });
    let mut seen = std::collections::BTreeSet::new();
    head.into_iter()
        .chain(contacts)
        .filter(|(_, e, _)| seen.insert(e.to_lowercase()))
        .map(|(name, email, role)| json!({"name": name, "email": email, "role": role}))
        .collect()
}

const DOCUMENTS: &[(&str, &str)] = &[
    ("pks", "PKS"),
    ("juknis", "Juknis"),
    ("sptjm", "SPTJM"),
    ("nda", "NDA"),
    ("renewal-letter", "Surat permohonan perpanjangan"),
    ("adendum", "Adendum"),
];

#[derive(Deserialize)]
struct DocOptions {
    set: Option<String>,
    kertas: Option<String>,
}

async fn document(
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(i64, String)>,
    q: web::Query<DocOptions>,
) -> Result<HttpResponse, PageError> {
    let (id, file) = path.into_inner();
    let state = state(&req)?;
    let q = q.into_inner();
    Ok(documents::draw(&state, visitor.actor, id, &file, q.set, q.kertas, None).await?)
}

/// Whether the actor's role may take a form's action at all (the core
/// decides again when it is sent).
fn allowed(actor: &app::Actor, target: Target) -> bool {
    let action = match target {
        Target::Reports => policy::Action::WriteRecord {
            collection: Report::COLLECTION,
        },
        Target::Certificates => policy::Action::WriteRecord {
            collection: Certificate::COLLECTION,
        },
        Target::Statements => policy::Action::WriteRecord {
            collection: Statement::COLLECTION,
        },
        Target::Renewals => policy::Action::WriteRecord {
            collection: Renewal::COLLECTION,
        },
        Target::SamReturn => policy::Action::ReturnSam,
    };
    policy::allow(actor, action).is_ok()
}

/// Records what one of the page's forms describes, through the core.
async fn record(
    req: HttpRequest,
    path: web::Path<(i64, String)>,
    form: Posted<Fields>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, values) = form;
    let (id, slug) = path.into_inner();
    let state = state(&req)?;
    let cal = state.calendar();
    // The forms the page offers now (a report form only while one is owed).
    let actor = visitor.actor.clone();
    let c2 = cal.clone();
    let view = run(&state, move |c| {
        app::agreements::get(c, &actor, id, crate::today_jakarta(), &c2)
    })
    .await?;
    let specs = record_forms::specs(&view.obligations, view.doc.terms.card_reader);
    let spec: &Spec = specs.iter().find(|s| s.slug == slug).ok_or_else(|| {
        ApiError::not_found(format!("formulir '{slug}' tidak ada pada perjanjian ini"))
    })?;
    let refill = |errors| Refill {
        form: slug.clone(),
        values: values.clone(),
        errors,
    };
    let input = match spec.input(&values) {
        Ok(v) => v,
        Err(errors) => return render_page(&req, &visitor, id, None, refill(errors)).await,
    };
    let actor = visitor.actor.clone();
    let target = spec.target;
    let saved = run(&state, move |c| {
        let a = &actor;
        match target {
            Target::Reports => {
                app::agreements::create_record::<Report>(c, a, &cal, id, input).map(|r| {
                    format!(
                        "Laporan semester {} tahun {} tercatat; kewajibannya terpenuhi.",
                        r.semester, r.year
                    )
                })
            }
            Target::Certificates => {
                app::agreements::create_record::<Certificate>(c, a, &cal, id, input)
                    .map(|_| "Sertifikat ISO/IEC 27001 tercatat.".to_string())
            }
            Target::Statements => {
                app::agreements::create_record::<Statement>(c, a, &cal, id, input)
                    .map(|s| format!("{} {} tercatat.", s.kind.label(), s.signer.name))
            }
            Target::Renewals => app::agreements::create_record::<Renewal>(c, a, &cal, id, input)
                .map(|_| "Permohonan perpanjangan tercatat.".to_string()),
            Target::SamReturn => {
                let on = input["returned_on"]
                    .as_str()
                    .and_then(|d| d.parse::<NaiveDate>().ok());
                let note = input["note"].as_str().map(str::to_string);
                match on {
                    Some(on) => app::obligations::sam_return(c, a, &cal, id, on, note.as_deref())
                        .map(|_| "Pengembalian konfigurasi kartu SAM tercatat.".to_string()),
                    None => Err(app::AppError::invalid(
                        "/returned_on",
                        "isi tanggal dikembalikan",
                    )),
                }
            }
        }
    })
    .await;
    match saved {
        Ok(message) => Ok(render::see_other(
            &format!("/perjanjian/{id}#kewajiban"),
            &message,
        )),
        Err(e) if matches!(e.status.as_u16(), 409 | 422) => {
            let errors = spec.place(&e);
            render_page(&req, &visitor, id, None, refill(errors)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, serde::Serialize)]
struct WaiverForm {
    #[serde(default)]
    kunci: String,
    #[serde(default)]
    alasan: String,
}

/// Waives the obligation the form names (one form on the page for all).
async fn waive(
    req: HttpRequest,
    id: web::Path<i64>,
    form: Posted<WaiverForm>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, f) = form;
    let id = id.into_inner();
    let state = state(&req)?;
    let cal = state.calendar();
    let actor = visitor.actor.clone();
    let (k, reason) = (f.kunci.clone(), f.alasan.clone());
    let done = run(&state, move |c| {
        app::obligations::waive(c, &actor, &cal, id, &k, &reason, None)
    })
    .await;
    let mut errors = Errors::new();
    match done {
        Ok(_) => {
            return Ok(render::see_other(
                &format!("/perjanjian/{id}#kewajiban"),
                "Kewajiban dikecualikan; alasannya tercatat.",
            ))
        }
        Err(e) if e.status.as_u16() == 422 => {
            errors.insert("alasan".into(), "Tulis alasan pengecualian.".into());
        }
        Err(e) if e.status.as_u16() == 404 => {
            errors.insert("kunci".into(), "Pilih kewajiban dari daftar.".into());
        }
        Err(e) => return Err(e.into()),
    }
    let refill = Refill {
        form: "pengecualian".into(),
        values: Fields::from([("kunci".into(), f.kunci), ("alasan".into(), f.alasan)]),
        errors,
    };
    render_page(&req, &visitor, id, None, refill).await
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/perjanjian/{id}", web::get().to(show))
        .route("/perjanjian/{id}/dokumen/{file}", web::get().to(document))
        .route("/perjanjian/{id}/catat/{slug}", web::get().to(show_form))
        .route("/perjanjian/{id}/catat/{slug}", web::post().to(record))
        .route("/perjanjian/{id}/pengecualian", web::post().to(waive));
}
