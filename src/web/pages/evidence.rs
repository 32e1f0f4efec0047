//! Evidence on the staff's side of an agreement's page: the files handed
//! in (downloaded, never shown inline), accepting or returning them, and
//! inviting a person of PIHAK KEDUA to the portal.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::agreement::{render_page, Refill};
use super::record_forms::{Errors, Fields};
use crate::app::invitations::{self, Invite};
use crate::app::submissions as app;
use crate::http::{run, upload};
use crate::web::form::Posted;
use crate::web::render;
use crate::web::session::{state, Visitor};
use crate::web::PageError;

async fn file(
    req: HttpRequest,
    visitor: Visitor,
    sha256: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let state = state(&req)?;
    Ok(upload::download(&state, &visitor.actor, &sha256).await?)
}

#[derive(Deserialize, Serialize)]
struct Decision {
    #[serde(default)]
    catatan: String,
}

/// Where a decision goes back to: the agreement's submissions.
fn back(id: i64) -> String {
    format!("/perjanjian/{id}#kiriman")
}

async fn accept(
    req: HttpRequest,
    path: web::Path<(i64, i64)>,
    form: Posted<Decision>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, f) = form;
    let (id, sid) = path.into_inner();
    let state = state(&req)?;
    let cal = state.calendar();
    let note = Some(f.catatan).filter(|n| !n.trim().is_empty());
    let done = run(&state, move |c| {
        app::accept(c, &visitor.actor, &cal, id, sid, note.as_deref())
    })
    .await;
    match done {
        Ok(_) => Ok(render::see_other(
            &back(id),
            "Kiriman diterima; kewajibannya terpenuhi dan pengingatnya dibatalkan.",
        )),
        Err(e) if matches!(e.status.as_u16(), 409 | 422) => Ok(render::see_other(
            &back(id),
            &format!("Kiriman tidak diterima: {}", e.detail),
        )),
        Err(e) => Err(e.into()),
    }
}

async fn send_back(
    req: HttpRequest,
    path: web::Path<(i64, i64)>,
    form: Posted<Decision>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, f) = form;
    let visitor2 = visitor.clone();
    let (id, sid) = path.into_inner();
    let state = state(&req)?;
    let cal = state.calendar();
    let letters = state.letters.clone();
    let done = run(&state, move |c| {
        app::send_back(c, &visitor.actor, &letters, &cal, id, sid, &f.catatan)
    })
    .await;
    match done {
        Ok(r) => {
            state.deliver();
            let told = if r.told.is_empty() {
                "PIHAK KEDUA tidak memiliki alamat e-mail; beri tahu mereka dengan cara lain."
                    .to_string()
            } else {
                format!("Pemberitahuan dikirim ke {}.", r.told.join(", "))
            };
            Ok(render::see_other(
                &back(id),
                &format!("Kiriman dikembalikan; tugasnya terbuka lagi. {told}"),
            ))
        }
        Err(e) if matches!(e.status.as_u16(), 409 | 422) => {
            let mut errors = Errors::new();
            errors.insert("catatan".into(), message_of(&e));
            let refill = Refill {
                form: format!("kembalikan:{sid}"),
                values: Fields::new(),
                errors,
            };
            render_page(&req, &visitor2, id, None, refill).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The first field's message of a refusal, else its detail; first letter
/// capitalised, as shown beside a field.
fn message_of(e: &crate::http::problem::ApiError) -> String {
    let m = e
        .errors
        .first()
        .map(|f| f.message.clone())
        .unwrap_or_else(|| e.detail.clone());
    crate::domain::words::capitalized(&m) + "."
}

#[derive(Deserialize, Serialize)]
struct Invitation {
    #[serde(default)]
    email: String,
    #[serde(default)]
    nama: String,
}

async fn invite(
    req: HttpRequest,
    id: web::Path<i64>,
    form: Posted<Invitation>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, f) = form;
    let (email, nama) = (f.email.clone(), f.nama.clone());
    let id = id.into_inner();
    let state = state(&req)?;
    let letters = state.letters.clone();
    let actor = visitor.actor.clone();
    let cal = state.calendar();
    let done = run(&state, move |c| {
        // The agency is this agreement's PIHAK KEDUA (and the agreement one
        // the officer sees).
        let view = crate::app::agreements::get(c, &actor, id, crate::today_jakarta(), &cal)?;
        let agency = view
            .doc
            .party(crate::domain::catalog::Side::Second)
            .and_then(|p| p.institution.id)
            .ok_or_else(|| {
                crate::app::AppError::invalid(
                    "/institution_id",
                    "perjanjian ini belum mencatat PIHAK KEDUA",
                )
            })?;
        let inv = Invite {
            email: f.email,
            name: f.nama,
            institution_id: agency,
        };
        invitations::invite(c, &actor, &letters, &inv)
    })
    .await;
    let to = format!("/perjanjian/{id}#undang");
    match done {
        Ok(i) => {
            state.deliver();
            let again = if i.replaced {
                " (tautan sebelumnya tidak berlaku lagi)"
            } else {
                ""
            };
            Ok(render::see_other(
                &to,
                &format!(
                    "Undangan dikirim ke {}{again}; tautannya berlaku 7 hari.",
                    i.username
                ),
            ))
        }
        Err(e) if matches!(e.status.as_u16(), 409 | 422) => {
            let field = match e.errors.first().map(|f| f.pointer.as_str()) {
                Some("/name") => "nama",
                _ => "email",
            };
            let mut errors = Errors::new();
            errors.insert(field.into(), message_of(&e));
            let refill = Refill {
                form: "undang".into(),
                values: Fields::from([("email".into(), email), ("nama".into(), nama)]),
                errors,
            };
            render_page(&req, &visitor, id, None, refill).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/berkas/{sha256}", web::get().to(file))
        .route(
            "/perjanjian/{id}/kiriman/{sid}/terima",
            web::post().to(accept),
        )
        .route(
            "/perjanjian/{id}/kiriman/{sid}/kembalikan",
            web::post().to(send_back),
        )
        .route("/perjanjian/{id}/undang", web::post().to(invite));
}
