//! The audit trail of API writes, kept in one place: the state of what a
//! request writes to is read before and after it, and the difference is
//! recorded with the signed-in user. The CLI records its own writes.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Principal;
use super::problem::ApiError;
use super::{db, page, AppState};
use crate::domain::audit::changes;
use crate::store::{
    agreements, audit, feed, holidays, institutions, people, users, DbConnection, StoreError,
};

/// What a path writes to.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Agreement {
        id: i64,
        entity: String,
        record: Option<i64>,
    },
    Institution(i64),
    Person(i64),
    Holiday(NaiveDate),
    User(i64),
    /// A user's calendar feed token (`/users/me/feed-token`): an account
    /// change, recorded by when the token was made, never by its text.
    FeedToken(i64),
    /// A collection before its new member exists (POST /agreements…).
    New(String),
}

impl Target {
    /// What `path` writes to; `me` is the signed-in user, for `/users/me/…`.
    fn of(path: &str, me: i64) -> Option<Target> {
        let parts: Vec<&str> = path
            .trim_start_matches("/api/v1/")
            .trim_end_matches('/')
            .split('/')
            .collect();
        let id = |s: &str| s.parse::<i64>().ok();
        Some(match parts.as_slice() {
            ["agreements", a] => Target::Agreement {
                id: id(a)?,
                entity: "agreement".into(),
                record: None,
            },
            ["agreements", a, rest @ ..] => Target::Agreement {
                id: id(a)?,
                entity: rest[0].to_string(),
                record: rest.get(1).and_then(|r| id(r)),
            },
            ["institutions", i] => Target::Institution(id(i)?),
            ["people", p] => Target::Person(id(p)?),
            ["holidays", d] => Target::Holiday(NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?),
            ["users", "me", "feed-token"] => Target::FeedToken(me),
            ["users", u, ..] => Target::User(id(u)?),
            [collection] => Target::New(collection.to_string()),
            _ => return None,
        })
    }

    fn entity(&self) -> String {
        match self {
            Target::Agreement { entity, .. } => entity.clone(),
            Target::Institution(_) => "institution".into(),
            Target::Person(_) => "person".into(),
            Target::Holiday(_) => "holiday".into(),
            Target::User(_) | Target::FeedToken(_) => "user".into(),
            Target::New(c) => c.clone(),
        }
    }

    fn ids(&self) -> (Option<i64>, Option<i64>) {
        match self {
            Target::Agreement {
                id,
                record: Some(r),
                ..
            } => (Some(*r), Some(*id)),
            Target::Agreement { id, .. } => (Some(*id), Some(*id)),
            Target::Institution(i) | Target::Person(i) | Target::User(i) | Target::FeedToken(i) => {
                (Some(*i), None)
            }
            Target::Holiday(_) | Target::New(_) => (None, None),
        }
    }
}

/// The state of the target as the API would show it, or `None` when it does
/// not exist (before a creation, after a deletion).
fn snapshot(
    c: &mut DbConnection,
    target: &Target,
    cal: &crate::domain::calendar::Calendar,
) -> Result<Option<Value>, StoreError> {
    let found = |r: Result<Value, StoreError>| match r {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    };
    match target {
        // The whole agreement with its obligations: a record, a waiver or a
        // SAM return shows as the part of it that changed.
        Target::Agreement { id, .. } => {
            found(agreements::get(c, *id, crate::today_jakarta(), cal).and_then(to_json))
        }
        Target::Institution(id) => found(institutions::get(c, *id).and_then(to_json)),
        Target::Person(id) => found(people::get(c, *id).and_then(to_json)),
        Target::User(id) => found(users::get(c, *id).and_then(|u| u.view()).and_then(to_json)),
        Target::FeedToken(id) => Ok(Some(json!({
            "feed_token": feed::token_issued(c, *id)?.map(|at| json!({"issued_at": at})),
        }))),
        Target::Holiday(date) => Ok(holidays::list(c, Some(date.year()))?
            .into_iter()
            .find(|h| h.date == *date)
            .map(|h| json!({"date": h.date, "kind": h.kind, "name": h.name, "source": h.source}))),
        Target::New(_) => Ok(None),
    }
}

fn to_json<T: serde::Serialize>(v: T) -> Result<Value, StoreError> {
    serde_json::to_value(v).map_err(|e| StoreError::Unavailable(e.to_string()))
}

fn is_write(m: &Method) -> bool {
    matches!(
        *m,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Runs a write and records what it changed; reads pass straight through.
pub async fn around(
    state: &web::Data<AppState>,
    principal: &Principal,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let target = Target::of(req.path(), principal.id);
    if !is_write(req.method()) || target.is_none() {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let target = target.unwrap_or(Target::New(String::new()));
    let method = req.method().clone();
    let cal = state.calendar();
    let (t, c2) = (target.clone(), cal.clone());
    let before = db(state, move |c| snapshot(c, &t, &c2)).await?;
    let res = next.call(req).await?.map_into_boxed_body();
    if !res.status().is_success() {
        return Ok(res);
    }
    // A creation is found where its Location header points.
    let after_target = match res
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
    {
        Some(location) if method == Method::POST => {
            Target::of(location, principal.id).unwrap_or(target.clone())
        }
        _ => target.clone(),
    };
    let (t, actor) = (after_target.clone(), principal.username.clone());
    let action = match method {
        Method::POST => "create",
        Method::PUT => "put",
        Method::PATCH => "update",
        _ => "delete",
    };
    let recorded = db(state, move |c| {
        let after = snapshot(c, &t, &cal)?;
        let diff = changes(before.as_ref(), after.as_ref());
        let (entity_id, agreement_id) = t.ids();
        audit::record(
            c,
            &audit::Entry {
                actor: &actor,
                action,
                entity: &t.entity(),
                entity_id,
                agreement_id,
                changes: &diff,
            },
        )
    })
    .await;
    if let Err(e) = recorded {
        // The write stands; a missing audit row must at least be loud.
        tracing::error!(error = ?e, "audit row not recorded");
    }
    Ok(res)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Paging {
    /// Jumlah per halaman, 1-500 (bawaan 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Lewati sekian yang pertama (bawaan 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

#[utoipa::path(
    get, path = "/api/v1/agreements/{id}/history", tag = "agreements",
    operation_id = "agreement_history",
    summary = "Jejak audit perjanjian",
    description = "Setiap perubahan atas perjanjian dan catatannya lewat API atau CLI: siapa, \
        kapan, tindakan dan kolom yang berubah (sebelum dan sesudah), terbaru dahulu.",
    params(("id" = i64, Path, description = "Id perjanjian"), Paging),
    responses(
        (status = 200, description = "Satu halaman jejak audit",
            body = super::openapi::Page<crate::store::audit::HistoryItem>),
        (status = 400, response = super::openapi::BadRequest),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 404, response = super::openapi::NotFound),
    )
)]
async fn history(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (limit, offset) = page(q.limit, q.offset)?;
    let (total, items) = db(&state, move |c| {
        agreements::load_doc(c, id)?;
        audit::history(c, id, limit, offset)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({"total": total, "limit": limit, "offset": offset, "items": items})))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/agreements/{id}/history", web::get().to(history));
}

#[cfg(test)]
mod tests {
    use super::Target;

    #[test]
    fn paths_name_what_they_write() {
        assert_eq!(
            Target::of("/api/v1/agreements", 1),
            Some(Target::New("agreements".into()))
        );
        assert_eq!(
            Target::of("/api/v1/agreements/4/reports/9", 1),
            Some(Target::Agreement {
                id: 4,
                entity: "reports".into(),
                record: Some(9)
            })
        );
        assert_eq!(
            Target::of("/api/v1/institutions/3", 1),
            Some(Target::Institution(3))
        );
        assert!(Target::of("/api/v1/agreements/x", 1).is_none());
        assert_eq!(
            Target::of("/api/v1/users/me/feed-token", 7),
            Some(Target::FeedToken(7))
        );
        assert!(Target::of("/api/v1/users/me", 7).is_none());
    }
}
