//! The calendar feed of open deadlines (RFC 5545), one builder for both its
//! doors: `GET /api/v1/obligations.ics` with a bearer token, and the secret
//! subscription address `GET /kalender/{token}.ics` that a calendar
//! application polls without signing in. Both show what one [`Principal`]
//! may see, built by the same gate code (`auth::principal_of`).

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Principal;
use super::obligations::each_evaluated;
use super::openapi::{NotFound, Unauthorized};
use super::problem::ApiError;
use super::{db, run, AppState};
use crate::auth::secret as token;
use crate::domain::ics::{self, FeedEvent};
use crate::domain::obligations::{Obligation, ObligationState};
use crate::store::{feed, obligations as store};

/// Days before a deadline that each event's alarm rings.
const ALARM_DAYS: u32 = 7;

/// Ends the title of an event whose date is an estimate (DESIGN.md §3).
const PROVISIONAL_SUMMARY: &str = " (perkiraan)";
/// Says why, in the event's description.
const PROVISIONAL_NOTE: &str =
    "Tanggal perkiraan: keputusan bersama hari libur tahun itu belum dimuat.";

fn state_words(s: ObligationState) -> &'static str {
    match s {
        ObligationState::Pending => "belum jatuh tempo",
        ObligationState::DueSoon => "segera jatuh tempo",
        ObligationState::Overdue => "terlambat",
        ObligationState::Submitted => "menunggu pemeriksaan",
        ObligationState::Fulfilled => "terpenuhi",
        ObligationState::Waived => "dikecualikan",
    }
}

/// One event's texts, before its SEQUENCE is known.
struct Draft {
    uid: String,
    date: NaiveDate,
    summary: String,
    description: String,
}

/// The open deadlines `reader` may see (optionally one institution's), as
/// an iCalendar response. The events carry no NIK or phone number (titles,
/// institution names and obligation labels only), so the reader's masking
/// has nothing to hide here; its visibility decides which agreements appear.
pub(super) async fn calendar(
    state: &web::Data<AppState>,
    reader: &Principal,
    institution: Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let as_of = crate::today_jakarta();
    let open: Vec<(i64, Obligation)> = each_evaluated(
        state,
        reader.visible.clone(),
        institution,
        as_of,
        vec![],
        |acc, e| {
            for o in e.obligations {
                if o.due_on.is_some()
                    && !matches!(
                        o.state,
                        ObligationState::Fulfilled | ObligationState::Waived
                    )
                {
                    acc.push((e.agreement_id, o));
                }
            }
        },
    )
    .await?;
    let mut ids: Vec<i64> = open.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    let labels = db(state, move |c| store::labels(c, &ids)).await?;
    let drafts: Vec<Draft> = open
        .iter()
        .map(|(id, o)| {
            let (title, institution) = labels.get(id).cloned().unwrap_or_default();
            let what = match &o.subject {
                Some(s) => format!("{} ({s})", o.kind.label()),
                None => o.kind.label().to_string(),
            };
            let mut summary = format!("Batas {what} — {institution}");
            let mut description = format!(
                "Perjanjian: {title}\nKewajiban: {what}\nStatus per {as_of}: {}",
                state_words(o.state)
            );
            if o.provisional {
                summary.push_str(PROVISIONAL_SUMMARY);
                description.push('\n');
                description.push_str(PROVISIONAL_NOTE);
            }
            Draft {
                uid: format!("{id}-{}@sepakat", o.key.replace(' ', "_")),
                date: o.due_on.unwrap_or(as_of),
                summary,
                description,
            }
        })
        .collect();
    let dated: Vec<(String, NaiveDate)> = drafts.iter().map(|d| (d.uid.clone(), d.date)).collect();
    let sequences = db(state, move |c| feed::sequences(c, &dated)).await?;
    let events: Vec<FeedEvent> = drafts
        .iter()
        .map(|d| FeedEvent {
            uid: d.uid.clone(),
            sequence: sequences.get(&d.uid).copied().unwrap_or(0),
            date: d.date,
            summary: &d.summary,
            description: &d.description,
        })
        .collect();
    let body = ics::feed(
        "Kewajiban PKS (Sepakat)",
        chrono::Utc::now().naive_utc(),
        ALARM_DAYS,
        &events,
    );
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "inline; filename=\"kewajiban-pks.ics\"",
        ))
        .body(body))
}

// ---- the subscription address ------------------------------------------------------

/// Alamat langganan kalender milik pengguna yang masuk. Alamat ini rahasia: siapa pun yang
/// memegangnya melihat tenggat yang boleh dilihat pemiliknya, tanpa masuk.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedSubscription {
    /// Alamat kalender untuk aplikasi yang meminta URL http(s).
    #[schema(
        example = "https://sepakat.example.go.id/kalender/q3J0m1x8n2Jf0cM7b3l5cE4pQ9yT6wZ1aB8dF2hK4sU.ics"
    )]
    pub(crate) url: String,
    /// Alamat yang sama dengan skema `webcal://`: membuka aplikasi kalender untuk berlangganan.
    #[schema(
        example = "webcal://sepakat.example.go.id/kalender/q3J0m1x8n2Jf0cM7b3l5cE4pQ9yT6wZ1aB8dF2hK4sU.ics"
    )]
    pub(crate) webcal: String,
}

/// The address links are written with: `SEPAKAT_PUBLIC_URL`, else the
/// scheme and host the request came to.
fn public_base(state: &AppState, req: &HttpRequest) -> String {
    match &state.public_url {
        Some(url) => url.to_string(),
        None => {
            let ci = req.connection_info();
            format!("{}://{}", ci.scheme(), ci.host())
        }
    }
}

#[utoipa::path(
    tag = "users", operation_id = "create_feed_token",
    summary = "Buat alamat langganan kalender",
    description = "Membuat alamat rahasia `/kalender/<token>.ics` untuk pengguna yang masuk \
        (peran apa pun), beserta bentuk `webcal://`-nya: aplikasi kalender berlangganan tanpa \
        masuk dan melihat tenggat yang boleh dilihat pengguna ini. Setiap panggilan membuat \
        rahasia baru; alamat sebelumnya langsung tidak berlaku. Token hanya ditampilkan sekali \
        dan disimpan sebagai hash.",
    responses(
        (status = 201, description = "Alamat langganan baru", body = FeedSubscription),
        (status = 401, response = Unauthorized),
    )
)]
#[post("/users/me/feed-token")]
async fn create_token(
    state: web::Data<AppState>,
    p: Principal,
    req: HttpRequest,
) -> Result<(web::Json<FeedSubscription>, StatusCode), ApiError> {
    let (secret, hash) = token::generate();
    run(&state, move |c| {
        crate::app::users::replace_feed_token(c, &p, &hash)
    })
    .await?;
    Ok((
        web::Json(subscription(&state, &req, &secret)),
        StatusCode::CREATED,
    ))
}

/// The addresses of the subscription whose secret is `secret` (for the API
/// and the reminders page alike).
pub(crate) fn subscription(state: &AppState, req: &HttpRequest, secret: &str) -> FeedSubscription {
    let base = public_base(state, req);
    let path = format!("/kalender/{secret}.ics");
    let webcal = match base.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}{path}"),
        None => format!("webcal://{base}{path}"),
    };
    FeedSubscription {
        url: format!("{base}{path}"),
        webcal,
    }
}

#[utoipa::path(
    tag = "users", operation_id = "delete_feed_token",
    summary = "Cabut alamat langganan kalender",
    description = "Alamat langganan kalender pengguna yang masuk berhenti berlaku (404). \
        Tetap 204 bila tidak ada alamat yang aktif.",
    responses(
        (status = 204, description = "Dicabut"),
        (status = 401, response = Unauthorized),
    )
)]
#[delete("/users/me/feed-token")]
async fn delete_token(state: web::Data<AppState>, p: Principal) -> Result<HttpResponse, ApiError> {
    run(&state, move |c| crate::app::users::revoke_feed_token(c, &p)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The one answer for every address that shows no calendar: unknown,
/// revoked, malformed, or its owner disabled. It must not tell which.
fn no_calendar() -> ApiError {
    ApiError::not_found(
        "alamat kalender ini tidak berlaku; buat alamat baru lewat POST /api/v1/users/me/feed-token",
    )
}

#[utoipa::path(
    tag = "obligations", operation_id = "calendar_subscription",
    summary = "Kalender tenggat lewat alamat langganan",
    description = "Umpan yang sama dengan `GET /api/v1/obligations.ics`, untuk aplikasi kalender: \
        tanpa token, dengan apa yang boleh dilihat pemilik alamat. UID setiap acara tetap; \
        `SEQUENCE` naik setiap kali tanggalnya berubah. Alamat yang tidak dikenal, sudah dicabut \
        atau milik akun yang dinonaktifkan dijawab 404 yang sama.",
    params(("token" = String, Path, description = "Token rahasia dari POST /api/v1/users/me/feed-token",
        example = "q3J0m1x8n2Jf0cM7b3l5cE4pQ9yT6wZ1aB8dF2hK4sU")),
    responses(
        (status = 200, description = "Kalender", content_type = "text/calendar", body = String,
            headers(("Content-Disposition" = String, description = "Nama berkas"))),
        (status = 404, response = NotFound),
    )
)]
#[get("/kalender/{token}.ics")]
async fn subscribed(
    state: web::Data<AppState>,
    secret: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let secret = secret.into_inner();
    if !token::well_formed(&secret) {
        return Err(no_calendar());
    }
    let hash = token::hash(&secret);
    let owner = db(&state, move |c| feed::token_owner(c, &hash))
        .await?
        .ok_or_else(no_calendar)?;
    let reader = super::auth::principal_of(&state, owner)
        .await?
        .ok_or_else(no_calendar)?;
    calendar(&state, &reader, None).await
}

async fn no_such_calendar() -> Result<HttpResponse, ApiError> {
    Err(no_calendar())
}

/// Inside the `/api/v1` scope.
pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(create_token).service(delete_token);
}

/// Outside `/api/v1`: no bearer token; the secret in the address is the key.
/// Any other address under `/kalender/` answers the same 404 as an unknown
/// token (it is no operation of its own, so it is left out of the document).
pub fn configure_public(cfg: &mut ServiceConfig) {
    cfg.service(subscribed)
        .route("/kalender/{rest:.*}", web::get().to(no_such_calendar));
}
