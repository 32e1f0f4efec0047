//! The agency's portal (`/portal`): what the agency owes Dukcapil and by
//! when, one task per open obligation with one action, and the agreements
//! it is PIHAK KEDUA of. Each task has its page (`/portal/tugas/{id}/{key}`,
//! the address every reminder e-mail links to) where the evidence is
//! uploaded (multipart, through the same hand-in as the API).

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::app;
use crate::domain::catalog::Role;
use crate::domain::evidence::{self, detail_fields};
use crate::domain::obligations::{ObligationKind, ObligationState};
use crate::domain::words;
use crate::http::obligations::{list_of, ObligationQuery};
use crate::http::problem::ApiError;
use crate::http::{run, upload};
use crate::web::form;
use crate::web::render;
use crate::web::session::{state, Visitor};
use crate::web::PageError;

/// The states of a task still to act on or waiting for Dukcapil.
const TASK_STATES: &str = "overdue,due_soon,pending,submitted";

async fn show(req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, PageError> {
    portal(&req, &visitor, None).await
}

/// An operator form's refusal, to show beside it.
struct OperatorError {
    agreement_id: i64,
    name: String,
    message: String,
}

async fn portal(
    req: &HttpRequest,
    visitor: &Visitor,
    refused: Option<OperatorError>,
) -> Result<HttpResponse, PageError> {
    let req = req.clone();
    let visitor = visitor.clone();
    if visitor.actor.role != Role::Opd {
        return Ok(HttpResponse::SeeOther()
            .insert_header(("location", "/"))
            .finish());
    }
    let state = state(&req)?;
    let q = ObligationQuery {
        as_of: crate::today_jakarta(),
        state: Some(TASK_STATES.into()),
        kind: None,
        due_within_days: None,
        institution: None,
        limit: 200,
        offset: 0,
    };
    let tasks = list_of(&state, visitor.actor.visible.clone(), q).await?;
    let filter = crate::store::agreements::ListFilter {
        as_of: tasks.as_of,
        limit: 100,
        offset: 0,
        visible: visitor.actor.visible.clone(),
        ..Default::default()
    };
    let (_, agreements) = crate::http::agreements::page_of(&state, filter).await?;
    let agency_id = visitor.actor.institution_id;
    let agency = crate::http::db(&state, move |c| match agency_id {
        Some(id) => Ok(Some(crate::store::institutions::get(c, id)?.doc.name)),
        None => Ok(None),
    })
    .await?;
    let items: Vec<Value> = tasks
        .items
        .iter()
        .map(|i| {
            let o = &i.obligation;
            let uploadable = detail_fields(o.kind).is_some();
            json!({
                "href": evidence::task_path(i.agreement_id, &o.key),
                "title": i.title,
                "kind": o.kind.code(),
                "subject": o.subject,
                "due_on": o.due_on,
                "provisional": o.provisional,
                "state": o.state.code(),
                "days": o.due_on.map(|d| days_words(d, tasks.as_of)),
                "action": action_label(o.kind, o.state, uploadable),
            })
        })
        .collect();
    // The operators of each agreement (its Juknis contacts of PIHAK KEDUA).
    let actor = visitor.actor.clone();
    let ids: Vec<(i64, String)> = agreements
        .iter()
        .take(10)
        .map(|a| (a.id, a.title.clone()))
        .collect();
    let docs = run(&state, move |c| {
        ids.into_iter()
            .map(|(id, title)| Ok((id, title, app::agreements::doc(c, &actor, id)?)))
            .collect::<Result<Vec<_>, app::AppError>>()
    })
    .await?;
    let operators: Vec<Value> = docs
        .iter()
        .map(|(id, title, doc)| {
            let list: Vec<Value> = doc
                .juknis
                .iter()
                .flat_map(|j| j.contacts.iter())
                .filter(|p| p.side == crate::domain::catalog::Side::Second)
                .map(|p| json!({"name": p.name, "position": p.position}))
                .collect();
            let error = refused.as_ref().filter(|e| e.agreement_id == *id);
            json!({
                "id": id,
                "title": title,
                "juknis": doc.juknis.is_some(),
                "list": list,
                "error": error.map(|e| e.message.clone()),
                "name": error.map(|e| e.name.clone()),
            })
        })
        .collect();
    let ctx = json!({
        "agency": agency,
        "operators": operators,
        "tasks": items,
        "total": tasks.total,
        "agreements": agreements,
        "as_of": tasks.as_of,
    });
    let mut r = render::page(&req, &visitor, "portal", "Tugas instansi", "portal", ctx);
    if refused.is_some() {
        *r.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(serde::Deserialize)]
struct OperatorForm {
    #[serde(default)]
    nama: String,
    #[serde(default)]
    jabatan: String,
}

/// Adds an operator: they owe an NDA from now on.
async fn add_operator(
    req: HttpRequest,
    id: web::Path<i64>,
    form: crate::web::form::Posted<OperatorForm>,
) -> Result<HttpResponse, PageError> {
    let crate::web::form::Posted(visitor, f) = form;
    let id = id.into_inner();
    let state = state(&req)?;
    let actor = visitor.actor.clone();
    let (name, position) = (f.nama.clone(), f.jabatan.clone());
    let done = run(&state, move |c| {
        app::operators::add(c, &actor, id, &name, Some(&position))
    })
    .await;
    match done {
        Ok(()) => Ok(render::see_other(
            "/portal#operator",
            &format!(
                "Operator {} tercatat; NDA-nya menjadi tugas instansi mulai hari ini.",
                f.nama.trim()
            ),
        )),
        Err(e) if matches!(e.status.as_u16(), 409 | 422) => {
            let message = e
                .errors
                .first()
                .map(|x| x.message.clone())
                .unwrap_or(e.detail);
            let refused = OperatorError {
                agreement_id: id,
                name: f.nama,
                message: words::capitalized(&message) + ".",
            };
            portal(&req, &visitor, Some(refused)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_operator(
    req: HttpRequest,
    id: web::Path<i64>,
    form: crate::web::form::Posted<OperatorForm>,
) -> Result<HttpResponse, PageError> {
    let crate::web::form::Posted(visitor, f) = form;
    let id = id.into_inner();
    let state = state(&req)?;
    let name = f.nama.clone();
    run(&state, move |c| {
        app::operators::remove(c, &visitor.actor, id, &name)
    })
    .await?;
    Ok(render::see_other(
        "/portal#operator",
        &format!("Operator {} dihapus dari Juknis.", f.nama),
    ))
}

/// "12 hari lagi", "hari ini", "terlambat 3 hari".
fn days_words(due: chrono::NaiveDate, today: chrono::NaiveDate) -> String {
    let n = (due - today).num_days();
    match n {
        0 => "hari ini".into(),
        n if n > 0 => format!("{n} hari lagi"),
        n => format!("terlambat {} hari", -n),
    }
}

fn action_label(kind: ObligationKind, state: ObligationState, uploadable: bool) -> &'static str {
    match (state, kind, uploadable) {
        (ObligationState::Submitted, _, _) => "Lihat kiriman",
        (_, ObligationKind::SemesterReport, _) => "Unggah laporan",
        (_, ObligationKind::Iso27001, _) => "Unggah sertifikat",
        (_, ObligationKind::RenewalRequest, _) => "Siapkan dan unggah surat",
        (_, _, true) => "Unggah pernyataan bertanda tangan",
        (_, _, false) => "Lihat",
    }
}

/// One task: the obligation, what was handed in for it and what Dukcapil
/// said, and the upload form while evidence is owed.
async fn task(
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, key) = path.into_inner();
    render_task(&req, &visitor, id, &key, &Default::default(), None, None).await
}

async fn render_task(
    req: &HttpRequest,
    visitor: &Visitor,
    id: i64,
    key: &str,
    values: &std::collections::BTreeMap<String, String>,
    refusal: Option<&ApiError>,
    status: Option<actix_web::http::StatusCode>,
) -> Result<HttpResponse, PageError> {
    let state = state(req)?;
    let cal = state.calendar();
    let actor = visitor.actor.clone();
    let k = key.to_string();
    let (view, submissions) = run(&state, move |c| {
        let view = app::agreements::get(c, &actor, id, crate::today_jakarta(), &cal)?;
        let subs = app::submissions::list(c, &actor, id)?;
        Ok((view, subs))
    })
    .await?;
    let o = view
        .obligations
        .iter()
        .find(|o| o.key == k)
        .ok_or_else(|| ApiError::not_found(format!("kewajiban '{k}' pada perjanjian {id}")))?;
    let mine: Vec<Value> = submissions
        .iter()
        .filter(|s| s.submission.obligation_key == k)
        .map(|s| {
            json!({
                "s": s.submission,
                "size": words::file_size(s.size),
                "uploaded": s.submission.uploaded_on(),
            })
        })
        .collect();
    let errors_of = |name: &str| -> Option<String> {
        refusal.and_then(|e| {
            e.errors
                .iter()
                .find(|f| f.pointer == format!("/{name}"))
                .map(|f| f.message.clone())
        })
    };
    let too_large = |e: &&ApiError| e.status == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE;
    let general = refusal
        .filter(|e| e.errors.is_empty() && !too_large(e))
        .map(|e| e.detail.clone());
    let file_error =
        errors_of("file").or_else(|| refusal.filter(too_large).map(|e| e.detail.clone()));
    let open = o.state.is_open() && detail_fields(o.kind).is_some();
    let fields: Vec<Value> = detail_fields(o.kind)
        .unwrap_or(&[])
        .iter()
        .map(|f| {
            json!({
                "name": f.name,
                "label": f.label,
                "kind": f.kind,
                "required": f.required,
                "value": values.get(f.name),
                "error": errors_of(f.name),
            })
        })
        .collect();
    let title = format!(
        "{}{}",
        words::capitalized(o.kind.label()),
        o.subject
            .as_ref()
            .map(|s| format!(" — {s}"))
            .unwrap_or_default()
    );
    let ctx = json!({
        "id": id,
        "key": k,
        "action": evidence::task_path(id, &k),
        "o": o,
        "agreement": view.doc.title,
        "heading": title,
        "open": open,
        "fields": fields,
        "file_error": file_error,
        "general_error": general,
        "submissions": mine,
        "renewal": o.kind == ObligationKind::RenewalRequest,
        "max_mb": state.max_upload.div_ceil(1024 * 1024),
        "staff": matches!(visitor.actor.role, Role::Admin | Role::Legal),
    });
    let mut r = render::page(req, visitor, "portal_tugas", &title, "portal", ctx);
    if let Some(s) = status {
        *r.status_mut() = s;
    }
    Ok(r)
}

/// The upload: the session's CSRF token travels in the multipart body
/// (before the file); a refusal shows the task again with its message next
/// to the field, and nothing stored.
async fn hand_in(
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(i64, String)>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (id, key) = path.into_inner();
    let state = state(&req)?;
    let csrf = visitor.csrf.clone();
    let done = upload::hand_in(
        &state,
        &visitor.actor,
        id,
        &key,
        req.headers(),
        payload,
        |f| f.get("_csrf").is_some_and(|s| form::same(s, &csrf)),
    )
    .await;
    match done {
        Ok(_) => Ok(render::see_other(
            "/portal",
            "Berkas terkirim dan menunggu pemeriksaan Dinas. Pengingat untuk tugas ini berhenti sementara.",
        )),
        Err(upload::HandInError::Csrf) => Err(PageError::Csrf),
        Err(upload::HandInError::Refused(e, values))
            if matches!(e.status.as_u16(), 409 | 413 | 422) =>
        {
            let status = e.status;
            render_task(&req, &visitor, id, &key, &values, Some(&e), Some(status)).await
        }
        Err(upload::HandInError::Refused(e, _)) => Err(e.into()),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/portal", web::get().to(show))
        .route("/portal/operator/{id}", web::post().to(add_operator))
        .route(
            "/portal/operator/{id}/hapus",
            web::post().to(remove_operator),
        )
        .service(
            web::resource("/portal/tugas/{id}/{key}")
                .route(web::get().to(task))
                .route(web::post().to(hand_in)),
        );
}
