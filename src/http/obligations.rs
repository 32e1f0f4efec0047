//! Obligations across agreements, the dashboard, waivers, SAM returns and
//! the holiday table.

use std::sync::Arc;

use std::collections::BTreeMap;

use actix_web::{delete, get, put, web, HttpResponse};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::agreements::date_param;
use super::auth::Principal;
use super::bodies::{Items, Page};
use super::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, Unprocessable,
};
use super::{db, page, problem::ApiError, run, AppState, DashboardViews, ValidJson};
use crate::app::obligations as app;
use crate::app::policy::{self, Action};
use crate::domain::calendar::{Holiday, HolidayKind};
use crate::domain::obligations::{at_risk, Obligation, ObligationKind, ObligationState};
use crate::domain::status::AgreementStatus;
use crate::store::obligations::{self as store, Evaluated};
use crate::store::outbox;
use crate::store::{agreements, db::registry_version, holidays, StoreError};

/// Runs the engine over every agreement (or one institution's), streaming.
pub(super) async fn each_evaluated<T: Send + 'static>(
    state: &web::Data<AppState>,
    visible: crate::store::access::Visibility,
    institution: Option<i64>,
    as_of: NaiveDate,
    init: T,
    fold: impl Fn(&mut T, Evaluated) + Send + 'static,
) -> Result<T, ApiError> {
    let cal = state.calendar();
    // A reader who sees one institution's agreements only (an agency, an
    // office without offices below it) has the bulk read narrowed to that
    // institution's agreements, instead of every agreement read and most
    // left out: the same set, read in a fraction of the time.
    use crate::store::access::Visibility;
    let institution = institution.or(match &visible {
        Visibility::UsedBy(agency) => Some(*agency),
        Visibility::IssuedBy(offices) if offices.len() == 1 => Some(offices[0]),
        _ => None,
    });
    db(state, move |c| {
        let mut acc = init;
        store::evaluate_each(c, institution, &visible, as_of, &cal, |e| fold(&mut acc, e))?;
        Ok(acc)
    })
    .await
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AsOfQuery {
    /// Tanggal acuan (YYYY-MM-DD); bawaan hari ini (Asia/Jakarta).
    #[param(value_type = Option<NaiveDate>)]
    as_of: Option<String>,
}

/// Kewajiban satu perjanjian per `as_of`.
#[derive(Serialize, ToSchema)]
pub struct AgreementObligations {
    agreement_id: i64,
    as_of: NaiveDate,
    status: AgreementStatus,
    /// Ada laporan semester yang terlambat lebih dari tiga bulan.
    at_risk: bool,
    items: Vec<Obligation>,
}

/// Kewajiban perjanjian setelah perubahan.
#[derive(Serialize, ToSchema)]
pub struct ObligationsChanged {
    agreement_id: i64,
    items: Vec<Obligation>,
}

#[utoipa::path(
    tag = "obligations",
    operation_id = "agreement_obligations",
    summary = "Kewajiban satu perjanjian",
    description = "Setiap kewajiban dengan tenggat, keadaan, catatan yang memenuhinya dan \
        `at_risk`, per `as_of`.",
    params(("id" = i64, Path, description = "Id perjanjian"), AsOfQuery),
    responses(
        (status = 200, description = "Kewajiban perjanjian",
            body = AgreementObligations),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/agreements/{id}/obligations")]
async fn for_agreement(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    q: web::Query<AsOfQuery>,
) -> Result<web::Json<AgreementObligations>, ApiError> {
    let id = id.into_inner();
    let as_of = date_param("as_of", &q.as_of)?.unwrap_or_else(crate::today_jakarta);
    let cal = state.calendar();
    let view = run(&state, move |c| {
        crate::app::agreements::get(c, &p, id, as_of, &cal)
    })
    .await?;
    Ok(web::Json(AgreementObligations {
        agreement_id: id,
        as_of,
        status: view.status,
        at_risk: view.at_risk,
        items: view.obligations,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Tanggal acuan (YYYY-MM-DD); bawaan hari ini (Asia/Jakarta).
    #[param(value_type = Option<NaiveDate>)]
    as_of: Option<String>,
    /// Hanya yang belum dipenuhi dan jatuh tempo dalam sekian hari setelah `as_of`.
    due_within_days: Option<u64>,
    /// Keadaan, dipisah koma: `pending`, `due_soon`, `overdue`, `fulfilled`, `waived`.
    #[param(example = "due_soon,overdue")]
    state: Option<String>,
    /// Jenis, dipisah koma: `sptjm`, `nda`, `poc`, `iso27001`, `semester_report`,
    /// `renewal_request`, `sam_return`.
    #[param(example = "semester_report")]
    kind: Option<String>,
    /// Id instansi: PIHAK KESATU atau PIHAK KEDUA.
    institution: Option<i64>,
    /// Jumlah per halaman, 1-500 (bawaan 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Lewati sekian yang pertama (bawaan 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// An obligation ordered by due date (undated last), then agreement.
struct Ranked {
    key: (bool, Option<NaiveDate>, i64, usize),
    agreement_id: i64,
    obligation: Obligation,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

/// Satu kewajiban dengan perjanjian dan instansi PIHAK KEDUA-nya.
#[derive(Clone, Serialize, ToSchema)]
pub struct ObligationItem {
    pub(crate) agreement_id: i64,
    /// Judul perjanjian.
    pub(crate) title: String,
    /// Nama instansi PIHAK KEDUA.
    pub(crate) institution: String,
    #[serde(flatten)]
    pub(crate) obligation: Obligation,
}

/// Satu halaman kewajiban lintas perjanjian, urut tenggat.
#[derive(Serialize, ToSchema)]
pub struct ObligationList {
    pub(crate) as_of: NaiveDate,
    pub(crate) total: usize,
    pub(crate) limit: i64,
    pub(crate) offset: i64,
    pub(crate) items: Vec<ObligationItem>,
}

fn parse_list<T>(
    raw: &Option<String>,
    what: &str,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
) -> Result<Option<Vec<T>>, ApiError> {
    raw.as_deref()
        .map(|s| {
            s.split(',')
                .map(|p| {
                    parse(p.trim()).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "{what} '{p}' tidak dikenal; pilihan: {}",
                            all.join(", ")
                        ))
                    })
                })
                .collect()
        })
        .transpose()
}

#[utoipa::path(
    tag = "obligations", operation_id = "list_obligations",
    summary = "Kewajiban lintas perjanjian",
    description = "Kewajiban semua perjanjian yang terlihat, urut tenggat (yang tidak bertanggal \
        terakhir).",
    params(ListQuery),
    responses(
        (status = 200, description = "Satu halaman kewajiban",
            body = ObligationList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/obligations")]
async fn list(
    state: web::Data<AppState>,
    principal: super::auth::Principal,
    q: web::Query<ListQuery>,
) -> Result<web::Json<ObligationList>, ApiError> {
    let (limit, offset) = page(q.limit, q.offset)?;
    let query = ObligationQuery {
        as_of: date_param("as_of", &q.as_of)?.unwrap_or_else(crate::today_jakarta),
        state: q.state.clone(),
        kind: q.kind.clone(),
        due_within_days: q.due_within_days,
        institution: q.institution,
        limit,
        offset,
    };
    Ok(web::Json(
        list_of(&state, principal.visible.clone(), query).await?,
    ))
}

/// What a list of obligations across agreements asks for; `state` and
/// `kind` as the address carries them (codes, comma-separated).
#[derive(Clone, Debug)]
pub(crate) struct ObligationQuery {
    pub as_of: NaiveDate,
    pub state: Option<String>,
    pub kind: Option<String>,
    pub due_within_days: Option<u64>,
    pub institution: Option<i64>,
    /// How many to keep after `offset` (`i64::MAX` for every match).
    pub limit: i64,
    pub offset: i64,
}

/// The obligations of what `visible` covers that a query matches, by due
/// date, with their total: the API's and the pages' (list and exports) one
/// read.
pub(crate) async fn list_of(
    state: &web::Data<AppState>,
    visible: crate::store::access::Visibility,
    q: ObligationQuery,
) -> Result<ObligationList, ApiError> {
    let ObligationQuery {
        as_of,
        limit,
        offset,
        institution,
        ..
    } = q;
    let states = parse_list(
        &q.state,
        "state",
        ObligationState::from_code,
        &ObligationState::ALL
            .iter()
            .map(|s| s.code())
            .collect::<Vec<_>>(),
    )?;
    let kinds = parse_list(
        &q.kind,
        "kind",
        ObligationKind::from_code,
        &ObligationKind::ALL
            .iter()
            .map(|s| s.code())
            .collect::<Vec<_>>(),
    )?;
    let horizon = q.due_within_days.map(|n| as_of + Days::new(n.min(3660)));
    let keep = offset.saturating_add(limit).max(0) as usize;
    // Count every match, keep only the first `offset + limit` by due date.
    let (total, heap) = each_evaluated(
        state,
        visible,
        institution,
        as_of,
        (0usize, std::collections::BinaryHeap::<Ranked>::new()),
        move |(total, heap), e| {
            for o in e.obligations {
                let wanted = states.as_ref().is_none_or(|s| s.contains(&o.state))
                    && kinds.as_ref().is_none_or(|k| k.contains(&o.kind))
                    && horizon.is_none_or(|h| {
                        o.due_on.is_some_and(|d| d <= h)
                            && !matches!(
                                o.state,
                                ObligationState::Fulfilled | ObligationState::Waived
                            )
                    });
                if wanted {
                    *total += 1;
                    heap.push(Ranked {
                        key: (o.due_on.is_none(), o.due_on, e.agreement_id, *total),
                        agreement_id: e.agreement_id,
                        obligation: o,
                    });
                    if heap.len() > keep {
                        heap.pop();
                    }
                }
            }
        },
    )
    .await?;
    let page: Vec<Ranked> = heap
        .into_sorted_vec()
        .into_iter()
        .skip(offset as usize)
        .collect();
    let mut ids: Vec<i64> = page.iter().map(|r| r.agreement_id).collect();
    ids.sort_unstable();
    ids.dedup();
    // In slices: an export of every match may name more agreements than a
    // query may carry parameters.
    let labels = db(state, move |c| {
        let mut all = std::collections::HashMap::new();
        for chunk in ids.chunks(1000) {
            all.extend(store::labels(c, chunk)?);
        }
        Ok(all)
    })
    .await?;
    let items: Vec<ObligationItem> = page
        .into_iter()
        .map(|r| {
            let (title, institution) = labels.get(&r.agreement_id).cloned().unwrap_or_default();
            ObligationItem {
                agreement_id: r.agreement_id,
                title,
                institution,
                obligation: r.obligation,
            }
        })
        .collect();
    Ok(ObligationList {
        as_of,
        total,
        limit,
        offset,
        items,
    })
}

/// Jumlah kewajiban per keadaan dan per jenis.
#[derive(Clone, Serialize, ToSchema)]
pub struct DashboardObligations {
    /// Jumlah per keadaan (`pending`, `due_soon`, `overdue`, `fulfilled`, `waived`).
    by_state: BTreeMap<String, usize>,
    /// Per jenis kewajiban: jumlah per keadaan.
    by_kind: BTreeMap<String, BTreeMap<String, usize>>,
}

/// Perjanjian berisiko: laporan semester terlambat lebih dari tiga bulan.
#[derive(Clone, Serialize, ToSchema)]
pub struct AtRiskAgreement {
    agreement_id: i64,
    title: String,
    institution: String,
    /// Tenggat laporan terlambat yang paling lama.
    oldest_overdue_report_due_on: NaiveDate,
}

/// Perjanjian berisiko: jumlah dan 20 yang paling lama terlambat.
#[derive(Clone, Serialize, ToSchema)]
pub struct AtRisk {
    total: usize,
    agreements: Vec<AtRiskAgreement>,
}

/// Ringkasan satu kantor Dukcapil (PIHAK KESATU) di bawah pembaca.
#[derive(Clone, Serialize, ToSchema)]
pub struct OfficeRollup {
    institution_id: i64,
    name: String,
    /// Perjanjian yang sudah ditandatangani per status.
    agreements: BTreeMap<String, usize>,
    /// Kewajiban terlambat.
    overdue: usize,
    /// Perjanjian berisiko dicabut.
    at_risk: usize,
}

/// Ringkasan per `as_of`.
#[derive(Clone, Serialize, ToSchema)]
pub struct Dashboard {
    as_of: NaiveDate,
    /// Jumlah perjanjian per status.
    agreements: BTreeMap<String, usize>,
    obligations: DashboardObligations,
    /// Sepuluh tenggat terdekat yang belum dipenuhi.
    next_deadlines: Vec<ObligationItem>,
    at_risk: AtRisk,
    /// Per kantor Dukcapil (PIHAK KESATU), bila pembaca melihat lebih dari satu kantor
    /// (Ditjen, provinsi), urut nama.
    offices: Vec<OfficeRollup>,
    /// Pesan pengingat per keadaan (`queued`, `sending`, `sent`, `failed`, `cancelled`,
    /// `undeliverable`) untuk perjanjian yang terlihat oleh pembaca.
    reminders: BTreeMap<String, i64>,
}

impl Dashboard {
    /// The dashboard as the Beranda shows it, with the `most` offices that
    /// have the most overdue obligations (then at risk), or all of them;
    /// and how many offices there are. Only what is shown is converted.
    pub(crate) fn for_page(&self, most: Option<usize>) -> (serde_json::Value, usize) {
        let mut offices: Vec<&OfficeRollup> = self.offices.iter().collect();
        if let Some(n) = most.filter(|n| offices.len() > *n) {
            offices.sort_by(|a, b| (b.overdue, b.at_risk).cmp(&(a.overdue, a.at_risk)));
            offices.truncate(n);
        }
        let v = serde_json::json!({
            "as_of": self.as_of,
            "agreements": self.agreements,
            "obligations": self.obligations,
            "next_deadlines": self.next_deadlines,
            "at_risk": self.at_risk,
            "offices": offices,
            "reminders": self.reminders,
        });
        (v, self.offices.len())
    }
}

/// The dashboard as of a date: computed once per registry version and view
/// (the whole registry, or what one office or agency sees; one run at a
/// time), then served from memory.
#[utoipa::path(
    tag = "obligations", operation_id = "dashboard",
    summary = "Dasbor",
    description = "Perjanjian per status, kewajiban per keadaan dan jenis, sepuluh tenggat \
        terdekat, perjanjian berisiko, per `as_of`, dan pesan pengingat per keadaan (termasuk \
        `undeliverable`: tanpa alamat penerima sama sekali).",
    params(AsOfQuery),
    responses(
        (status = 200, description = "Dasbor", body = Dashboard),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/dashboard")]
async fn dashboard(
    state: web::Data<AppState>,
    principal: super::auth::Principal,
    q: web::Query<AsOfQuery>,
) -> Result<web::Json<Dashboard>, ApiError> {
    let as_of = date_param("as_of", &q.as_of)?.unwrap_or_else(crate::today_jakarta);
    Ok(web::Json(
        dashboard_of(&state, principal.visible.clone(), as_of).await?,
    ))
}

/// The dashboard of what `visible` covers as of a date: the API's and the
/// Beranda's one read.
pub(crate) async fn dashboard_of(
    state: &web::Data<AppState>,
    visible: crate::store::access::Visibility,
    as_of: NaiveDate,
) -> Result<Dashboard, ApiError> {
    let calendars = state.calendars();
    // The outbox is not part of the registry version: its counts are read live.
    let counted = visible.clone();
    let (version, outbox_counts) = db(state, move |c| {
        Ok((registry_version(c)?, outbox::count_by_state(c, &counted)?))
    })
    .await?;
    let with_reminders = |kept: Arc<Dashboard>| Dashboard {
        reminders: outbox_counts,
        ..(*kept).clone()
    };
    if let Some(value) = kept_view(&*state.dashboards.lock().await, &visible, as_of, version) {
        return Ok(with_reminders(value));
    }
    // One computation at a time. Waiting here holds no connection: requests
    // queued behind a long run do not take the pool's connections meanwhile.
    let mut views = state.dashboards.clone().lock_owned().await;
    let value = db(state, move |c| {
        let version = registry_version(c)?;
        if let Some(value) = kept_view(&views, &visible, as_of, version) {
            return Ok(value);
        }
        // Kept under `version`, so computed with the calendar as of after
        // that read (another instance may have changed a holiday since
        // this request began), never an older one.
        let cal = calendars.current(c)?;
        let value = Arc::new(compute_dashboard(c, as_of, &cal, &visible)?);
        // A view read at an older version is stale for good.
        views.retain(|_, (_, v, _)| *v == version);
        views.insert(visible, (as_of, version, value.clone()));
        Ok(value)
    })
    .await?;
    Ok(with_reminders(value))
}

/// The kept dashboard of a view, if it is of this date and registry version.
fn kept_view(
    views: &DashboardViews,
    visible: &crate::store::access::Visibility,
    as_of: NaiveDate,
    version: i64,
) -> Option<Arc<Dashboard>> {
    views
        .get(visible)
        .filter(|(d, v, _)| *d == as_of && *v == version)
        .map(|(_, _, value)| value.clone())
}

fn compute_dashboard(
    c: &mut crate::store::DbConnection,
    as_of: NaiveDate,
    cal: &crate::domain::calendar::Calendar,
    visible: &crate::store::access::Visibility,
) -> Result<Dashboard, StoreError> {
    use std::collections::BinaryHeap;
    let drafts = agreements::count(
        c,
        &agreements::ListFilter {
            status: Some(AgreementStatus::Draft),
            as_of,
            visible: visible.clone(),
            ..Default::default()
        },
    )?;
    let mut by_status: BTreeMap<&str, usize> =
        AgreementStatus::ALL.iter().map(|s| (s.code(), 0)).collect();
    *by_status.entry("draft").or_default() += drafts as usize;
    let mut by_state: BTreeMap<&str, usize> =
        ObligationState::ALL.iter().map(|s| (s.code(), 0)).collect();
    let mut by_kind: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    let mut upcoming: BinaryHeap<Ranked> = BinaryHeap::new();
    let mut risky: Vec<(NaiveDate, i64)> = vec![];
    let mut seq = 0usize;
    let mut offices: BTreeMap<i64, OfficeRollup> = BTreeMap::new();
    store::evaluate_each(c, None, visible, as_of, cal, |e| {
        *by_status.entry(e.status.code()).or_default() += 1;
        let office = offices
            .entry(e.first_institution_id)
            .or_insert_with(|| OfficeRollup {
                institution_id: e.first_institution_id,
                name: String::new(),
                agreements: AgreementStatus::ALL
                    .iter()
                    .filter(|s| **s != AgreementStatus::Draft)
                    .map(|s| (s.code().to_string(), 0))
                    .collect(),
                overdue: 0,
                at_risk: 0,
            });
        *office
            .agreements
            .entry(e.status.code().to_string())
            .or_default() += 1;
        office.overdue += e
            .obligations
            .iter()
            .filter(|o| o.state == ObligationState::Overdue)
            .count();
        if at_risk(e.status, &e.obligations) {
            office.at_risk += 1;
            let oldest = e
                .obligations
                .iter()
                .filter(|o| o.at_risk)
                .filter_map(|o| o.due_on)
                .min();
            risky.push((oldest.unwrap_or(as_of), e.agreement_id));
        }
        for o in e.obligations {
            *by_state.entry(o.state.code()).or_default() += 1;
            *by_kind
                .entry(o.kind.code())
                .or_default()
                .entry(o.state.code())
                .or_default() += 1;
            if matches!(o.state, ObligationState::Pending | ObligationState::DueSoon)
                && o.due_on.is_some()
            {
                seq += 1;
                upcoming.push(Ranked {
                    key: (false, o.due_on, e.agreement_id, seq),
                    agreement_id: e.agreement_id,
                    obligation: o,
                });
                if upcoming.len() > 10 {
                    upcoming.pop();
                }
            }
        }
    })?;
    let upcoming = upcoming.into_sorted_vec();
    risky.sort_unstable();
    let risk_total = risky.len();
    risky.truncate(20);
    let mut ids: Vec<i64> = upcoming
        .iter()
        .map(|r| r.agreement_id)
        .chain(risky.iter().map(|(_, id)| *id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let labels = store::labels(c, &ids)?;
    let label = |id: i64| labels.get(&id).cloned().unwrap_or_default();
    let next_deadlines: Vec<ObligationItem> = upcoming
        .into_iter()
        .map(|r| {
            let (title, institution) = label(r.agreement_id);
            ObligationItem {
                agreement_id: r.agreement_id,
                title,
                institution,
                obligation: r.obligation,
            }
        })
        .collect();
    let agreements: Vec<AtRiskAgreement> = risky
        .into_iter()
        .map(|(since, id)| {
            let (title, institution) = label(id);
            AtRiskAgreement {
                agreement_id: id,
                title,
                institution,
                oldest_overdue_report_due_on: since,
            }
        })
        .collect();
    // A roll-up only says something to a reader over several offices.
    let mut offices: Vec<OfficeRollup> = if offices.len() > 1 {
        offices.into_values().collect()
    } else {
        vec![]
    };
    for o in &mut offices {
        o.name = crate::store::institutions::get(c, o.institution_id)?
            .doc
            .name;
    }
    offices.sort_by(|a, b| a.name.cmp(&b.name));
    let owned = |m: BTreeMap<&str, usize>| -> BTreeMap<String, usize> {
        m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    };
    Ok(Dashboard {
        as_of,
        agreements: owned(by_status),
        obligations: DashboardObligations {
            by_state: owned(by_state),
            by_kind: by_kind
                .into_iter()
                .map(|(k, m)| (k.to_string(), owned(m)))
                .collect(),
        },
        next_deadlines,
        at_risk: AtRisk {
            total: risk_total,
            agreements,
        },
        offices,
        // Read live at each answer: the outbox is not part of the registry version.
        reminders: BTreeMap::new(),
    })
}

/// Pengecualian kewajiban.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct WaiveBody {
    /// Alasan pengecualian (wajib).
    #[schema(
        example = "laporan semester digabung dengan semester berikutnya atas persetujuan PIHAK KESATU"
    )]
    reason: String,
    /// Tanggal pengecualian; bawaan hari ini.
    #[serde(default)]
    on: Option<NaiveDate>,
}

#[utoipa::path(
    tag = "obligations",
    operation_id = "waive_obligation",
    summary = "Kecualikan kewajiban",
    params(
        ("id" = i64, Path, description = "Id perjanjian"),
        ("key" = String, Path, description = "Kunci kewajiban, mis. `report:2026:1`",
            example = "report:2026:1"),
    ),
    request_body = WaiveBody,
    responses(
        (status = 200, description = "Kewajiban perjanjian setelah pengecualian",
            body = ObligationsChanged),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[put("/agreements/{id}/obligations/{key}/waiver")]
async fn waive(
    state: web::Data<AppState>,
    p: Principal,
    path: web::Path<(i64, String)>,
    payload: web::Payload,
) -> Result<web::Json<ObligationsChanged>, ApiError> {
    let (id, key) = path.into_inner();
    // The role is refused before the body is read, whatever the body.
    policy::allow(&p, Action::WaiveObligation)?;
    let body: WaiveBody = ValidJson::read(&state, payload).await?;
    let cal = state.calendar();
    let view = run(&state, move |c| {
        app::waive(c, &p, &cal, id, &key, &body.reason, body.on)
    })
    .await?;
    Ok(web::Json(ObligationsChanged {
        agreement_id: id,
        items: view.obligations,
    }))
}

#[utoipa::path(
    tag = "obligations",
    operation_id = "unwaive_obligation",
    summary = "Batalkan pengecualian kewajiban",
    params(
        ("id" = i64, Path, description = "Id perjanjian"),
        ("key" = String, Path, description = "Kunci kewajiban, mis. `report:2026:1`",
            example = "report:2026:1"),
    ),
    responses(
        (status = 204, description = "Pengecualian dibatalkan"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[delete("/agreements/{id}/obligations/{key}/waiver")]
async fn unwaive(
    state: web::Data<AppState>,
    p: Principal,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, key) = path.into_inner();
    let cal = state.calendar();
    run(&state, move |c| app::unwaive(c, &p, &cal, id, &key)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Pengembalian konfigurasi kartu SAM.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SamReturnBody {
    /// Tanggal dikembalikan; tidak sebelum perjanjian ditandatangani.
    returned_on: NaiveDate,
    /// Catatan.
    #[serde(default)]
    note: Option<String>,
}

#[utoipa::path(
    tag = "obligations",
    operation_id = "sam_return",
    summary = "Catat pengembalian konfigurasi kartu SAM",
    description = "Hanya untuk perjanjian yang memakai card reader (`terms.card_reader`).",
    params(("id" = i64, Path, description = "Id perjanjian")),
    request_body(content = SamReturnBody,
        example = json!({"returned_on": "2027-09-20", "note": "diserahkan ke bidang PIAK"})),
    responses(
        (status = 200, description = "Kewajiban perjanjian setelah pencatatan",
            body = ObligationsChanged),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[put("/agreements/{id}/sam-return")]
async fn sam_return(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<web::Json<ObligationsChanged>, ApiError> {
    let id = id.into_inner();
    // The role is refused before the body is read, whatever the body.
    policy::allow(&p, Action::ReturnSam)?;
    let body: SamReturnBody = ValidJson::read(&state, payload).await?;
    let cal = state.calendar();
    let view = run(&state, move |c| {
        app::sam_return(c, &p, &cal, id, body.returned_on, body.note.as_deref())
    })
    .await?;
    Ok(web::Json(ObligationsChanged {
        agreement_id: id,
        items: view.obligations,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct FeedQuery {
    /// Hanya perjanjian instansi ini (PIHAK KESATU atau PIHAK KEDUA).
    institution: Option<i64>,
}

/// Open obligations with a date, as an iCalendar feed (optionally one institution's).
#[utoipa::path(
    tag = "obligations", operation_id = "obligations_feed",
    summary = "Kalender tenggat (iCalendar)",
    description = "Umpan RFC 5545 berisi tenggat yang belum dipenuhi, dengan alarm 7 hari \
        sebelumnya; UID setiap acara tetap dan `SEQUENCE` naik bila tanggalnya berubah. Untuk \
        aplikasi kalender yang tidak dapat mengirim token: `POST /api/v1/users/me/feed-token`.",
    params(FeedQuery),
    responses(
        (status = 200, description = "Kalender", content_type = "text/calendar", body = String,
            headers(("Content-Disposition" = String, description = "Nama berkas"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/obligations.ics")]
async fn feed(
    state: web::Data<AppState>,
    principal: super::auth::Principal,
    q: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    super::feed::calendar(&state, &principal, q.institution).await
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OutboxQuery {
    /// Keadaan pesan: `queued`, `sending`, `sent`, `failed`, `cancelled`, `undeliverable`
    /// (tanpa alamat penerima; dikirim begitu alamat ditambahkan).
    #[param(example = "failed")]
    state: Option<String>,
    /// Jumlah per halaman, 1-500 (bawaan 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Lewati sekian yang pertama (bawaan 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The reminder outbox: queued, sent, failed (with the last error) and cancelled messages.
#[utoipa::path(
    tag = "reminders", operation_id = "list_reminders",
    summary = "Outbox pengingat",
    description = "Pesan pengingat: antre, terkirim, gagal (dengan galat terakhir) atau \
        dibatalkan.",
    params(OutboxQuery),
    responses(
        (status = 200, description = "Satu halaman pesan",
            body = Page<outbox::OutboxRow>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/reminders")]
async fn reminders(
    state: web::Data<AppState>,
    principal: super::auth::Principal,
    q: web::Query<OutboxQuery>,
) -> Result<web::Json<Page<outbox::OutboxRow>>, ApiError> {
    let (limit, offset) = page(q.limit, q.offset)?;
    let states: Vec<String> = q.state.clone().into_iter().collect();
    let visible = principal.visible.clone();
    let (total, items) = outbox_of(&state, states, visible, false, limit, offset).await?;
    Ok(web::Json(Page {
        total,
        limit,
        offset,
        items,
    }))
}

/// The outbox as `visible` sees it, in `states` (none: every state), newest
/// first or, for a reader working through it, what went wrong first: the one
/// read behind the API's list and the reminders page.
pub(crate) async fn outbox_of(
    state: &web::Data<AppState>,
    states: Vec<String>,
    visible: crate::store::access::Visibility,
    urgent_first: bool,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<outbox::OutboxRow>), ApiError> {
    if let Some(s) = states
        .iter()
        .find(|s| !outbox::STATES.contains(&s.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "state '{s}' tidak dikenal; pilihan: {}",
            outbox::STATES.join(", ")
        )));
    }
    db(state, move |c| {
        outbox::list_in(c, &states, &visible, urgent_first, limit, offset)
    })
    .await
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct YearQuery {
    /// Hanya tahun ini.
    #[param(example = 2026)]
    year: Option<i32>,
}

#[utoipa::path(
    tag = "holidays", operation_id = "list_holidays",
    summary = "Hari libur dan cuti bersama",
    description = "Tabel hari libur yang dipakai menghitung hari kerja.",
    params(YearQuery, super::Paging),
    responses(
        (status = 200, description = "Hari libur, urut tanggal", body = Items<Holiday>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/holidays")]
async fn list_holidays(
    state: web::Data<AppState>,
    q: web::Query<YearQuery>,
    paging: web::Query<super::Paging>,
) -> Result<web::Json<Items<Holiday>>, ApiError> {
    let year = q.year;
    let all = db(&state, move |c| holidays::list(c, year)).await?;
    Ok(web::Json(Items::of(paging.apply(all)?)))
}

#[utoipa::path(
    tag = "holidays", operation_id = "holiday_years",
    summary = "Tahun yang keputusan bersamanya sudah dimuat",
    description = "Tanggal yang dihitung melalui tahun lain adalah perkiraan (`provisional`): \
        hanya hari libur yang tetap menurut undang-undang atau menurut tanggal Paskah yang \
        diperhitungkan.",
    responses(
        (status = 200, description = "Tahun dengan keputusan bersama, urut tahun",
            body = Items<holidays::DecreeYear>),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/holidays/years")]
async fn holiday_years(
    state: web::Data<AppState>,
) -> Result<web::Json<Items<holidays::DecreeYear>>, ApiError> {
    Ok(web::Json(Items::of(
        db(&state, |c| holidays::decree_years(c)).await?,
    )))
}

/// Hari libur atau cuti bersama pada tanggal di alamat.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct HolidayBody {
    kind: HolidayKind,
    /// Nama hari libur (wajib).
    #[schema(example = "Idul Fitri 1447 Hijriah")]
    name: String,
    /// Dasar penetapan, mis. SKB 3 Menteri.
    #[serde(default)]
    source: Option<String>,
}

fn holiday_date(raw: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| crate::domain::agreement::plausible_date(*d))
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "tanggal '{raw}' tidak valid (YYYY-MM-DD, tahun 1945-2100)"
            ))
        })
}

#[utoipa::path(
    tag = "holidays", operation_id = "put_holiday",
    summary = "Tetapkan hari libur",
    description = "Menambah atau mengganti hari libur pada tanggal itu; hari kerja dihitung \
        ulang.",
    params(("date" = chrono::NaiveDate, Path, description = "Tanggal (YYYY-MM-DD)",
        example = "2026-03-21")),
    request_body(content = HolidayBody,
        example = json!({"kind": "libur_nasional", "name": "Idul Fitri 1447 Hijriah",
            "source": "SKB 3 Menteri No. 1497 Tahun 2025, No. 2 Tahun 2025, No. 5 Tahun 2025"})),
    responses(
        (status = 200, description = "Hari libur tersimpan", body = Holiday),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[put("/holidays/{date}")]
async fn put_holiday(
    state: web::Data<AppState>,
    p: Principal,
    date: web::Path<String>,
    payload: web::Payload,
) -> Result<web::Json<Holiday>, ApiError> {
    let date = holiday_date(&date)?;
    // The role is refused before the body is read, whatever the body.
    policy::allow(&p, Action::WriteHolidays)?;
    let body: HolidayBody = ValidJson::read(&state, payload).await?;
    let h = Holiday {
        date,
        kind: body.kind,
        name: body.name,
        source: body.source,
    };
    let saved = run(&state, move |c| crate::app::holidays::put(c, &p, &h)).await?;
    state.reload_calendar()?;
    Ok(web::Json(saved))
}

#[utoipa::path(
    tag = "holidays", operation_id = "delete_holiday",
    summary = "Hapus hari libur",
    params(("date" = chrono::NaiveDate, Path, description = "Tanggal (YYYY-MM-DD)",
        example = "2026-03-21")),
    responses(
        (status = 204, description = "Terhapus; tanggal itu kembali hari kerja bila bukan akhir pekan"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[delete("/holidays/{date}")]
async fn delete_holiday(
    state: web::Data<AppState>,
    p: Principal,
    date: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let date = holiday_date(&date)?;
    run(&state, move |c| crate::app::holidays::delete(c, &p, date)).await?;
    state.reload_calendar()?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(for_agreement)
        .service(waive)
        .service(unwaive)
        .service(sam_return)
        .service(list)
        .service(feed)
        .service(dashboard)
        .service(reminders)
        .service(list_holidays)
        // Before `/holidays/{date}`, which would take "years" for a date.
        .service(holiday_years)
        .service(put_holiday)
        .service(delete_holiday);
}
