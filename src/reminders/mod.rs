//! Reminders: the planner turns the day's occasions into outbox rows (one
//! per obligation, occasion and recipient), the sender delivers them with
//! retries, the scheduler runs both inside `serve`, `remind --once` outside.

pub mod mailer;
pub mod templates;

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Duration, NaiveDate, NaiveDateTime, Timelike, Weekday};
use lettre::message::Mailbox;
use serde::Serialize;

use crate::domain::agreement::AgreementDoc;
use crate::domain::calendar::Calendar;
use crate::domain::catalog::Side;
use crate::domain::obligations::{Obligation, ObligationKind, ObligationState};
use crate::domain::reminders::{
    due_occasion, occasions, office_address, recipients, Recipients, Schedule,
};
use crate::domain::words::{date_long, date_short};
use crate::store::obligations::{evaluate_each, facts_for};
use crate::store::outbox::{self, NewMessage};
use crate::store::{agreements, DbConnection, StoreError};
use mailer::Mailer;
use templates::Templates;

/// What the use cases that write an e-mail (an invitation, a returned
/// upload) need: the templates, and the address links start with.
pub struct Letters {
    pub templates: Templates,
    pub public_url: String,
}

impl Letters {
    pub fn built_in() -> Letters {
        Letters {
            templates: Templates::load(None).expect("the built-in e-mail templates parse"),
            public_url: format!("http://{}", crate::config::DEFAULT_BIND),
        }
    }

    /// A message of template `kind` to `name <email>`, ready to send now.
    pub fn message<T: Serialize>(
        &self,
        kind: &str,
        dedupe_key: String,
        name: &str,
        email: &str,
        data: &T,
    ) -> Result<NewMessage, StoreError> {
        let r = self
            .templates
            .render(kind, data)
            .map_err(StoreError::Internal)?;
        Ok(NewMessage::queued(
            dedupe_key,
            kind.to_string(),
            mailbox(name, email),
            r.subject,
            r.text,
            r.html,
        ))
    }
}

/// Per agreement, as read once in a [`Reminders::revive`]: its expiry, its
/// document and its obligations (`None`: it no longer exists).
type Evaluated =
    std::collections::HashMap<i64, Option<(Option<NaiveDate>, AgreementDoc, Vec<Obligation>)>>;

pub struct Reminders {
    pub templates: Templates,
    pub mailer: Mailer,
    pub from: Mailbox,
    pub schedule: Schedule,
    /// Days ahead the weekly digest covers.
    pub digest_days: u32,
    /// Identifies this process when it claims outbox rows.
    pub worker: String,
    /// The address links in messages start with (`SEPAKAT_PUBLIC_URL`).
    pub public_url: String,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct PlanReport {
    pub agreements: usize,
    pub queued: usize,
    pub already_planned: usize,
    /// Of those queued: to the Dukcapil office, PIHAK KEDUA having no address.
    pub to_office: usize,
    /// Stored undeliverable: no address anywhere.
    pub undeliverable: usize,
    /// Undeliverable reminders sent on after an address was added.
    pub revived: usize,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct SendReport {
    pub sent: usize,
    pub retry_later: usize,
    pub failed: usize,
    pub cancelled: usize,
    /// Left queued for a day: their obligation's evidence awaits review.
    pub paused: usize,
}

#[derive(Serialize)]
struct ReminderData<'a> {
    recipient_name: &'a str,
    obligation: &'static str,
    subject: Option<&'a str>,
    overdue: bool,
    due_today: bool,
    days_left: i64,
    days_overdue: i64,
    due_long: String,
    due_short: String,
    title: &'a str,
    numbers: String,
    party: &'a str,
    first_party: &'a str,
    office_email: Option<&'a str>,
    action: String,
    at_risk: bool,
    /// The due date is an estimate (a year without its holiday decree).
    provisional: bool,
    /// Written to the Dukcapil office because PIHAK KEDUA has no address.
    to_office: bool,
    /// Where to act: the task in the agency's portal, or the agreement's
    /// page for the office.
    link: String,
}

/// "400.12/2432/2025 dan 518/4180/IX/2025".
pub(crate) fn numbers(doc: &AgreementDoc) -> String {
    let n: Vec<String> = doc
        .parties
        .iter()
        .filter_map(|p| p.number.as_ref().map(|n| n.to_string()))
        .collect();
    crate::domain::words::join_list(&n)
}

fn action(o: &Obligation, doc: &AgreementDoc, first: &str, cal_days: u32) -> String {
    let due = o.due_on.map(date_long).unwrap_or_default();
    match o.kind {
        ObligationKind::RenewalRequest => format!(
            "Sampaikan surat permohonan perpanjangan PKS kepada {first} paling lambat {due}, yaitu {} sebelum PKS berakhir{}.",
            crate::domain::words::count(doc.terms.renewal_notice_months as u64) + " bulan",
            doc.expires_on.map(|e| format!(" pada {}", date_long(e))).unwrap_or_default()
        ),
        ObligationKind::Iso27001 => {
            format!("Serahkan salinan sertifikat ISO/IEC 27001 kepada {first} paling lambat {due}.")
        }
        ObligationKind::SemesterReport => format!(
            "Sampaikan laporan pemanfaatan data kependudukan {} kepada {first}{} paling lambat {due}, yaitu {} hari kerja setelah akhir semester.",
            o.subject.as_deref().unwrap_or(""),
            doc.juknis.as_ref().and_then(|j| j.report_email.as_ref()).map(|e| format!(" melalui surel {e}")).unwrap_or_default(),
            crate::domain::words::count(cal_days as u64)
        ),
        _ => format!("Penuhi kewajiban ini paling lambat {due}."),
    }
}

fn reminder_key(agreement: i64, o: &Obligation, occasion: &str, recipient: &str) -> String {
    let due = o.due_on.map(|d| d.to_string()).unwrap_or_default();
    format!(
        "{agreement}|{}|{occasion}|{due}|{}",
        o.key,
        recipient.to_lowercase()
    )
}

/// `"ENDI ASTONO, S.Sos" <kepala@…>`: the display name quoted as RFC 5322 needs.
fn mailbox(name: &str, email: &str) -> String {
    match email.parse() {
        Ok(address) => Mailbox::new(Some(name.to_string()), address).to_string(),
        Err(_) => email.to_string(),
    }
}

fn utc_now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

impl Reminders {
    /// Stores the messages for every occasion that falls on `as_of` (or was
    /// missed within the catch-up window). Running it twice stores nothing new.
    pub fn plan(
        &self,
        conn: &mut DbConnection,
        as_of: NaiveDate,
        cal: &Calendar,
    ) -> Result<PlanReport, StoreError> {
        let mut report = PlanReport::default();
        let monday = as_of.weekday() == Weekday::Mon;
        let until = as_of + Days::new(self.digest_days as u64);
        let mut candidates: Vec<(i64, Vec<(Obligation, String)>)> = vec![];
        let mut per_office: BTreeMap<i64, Vec<(i64, Obligation)>> = BTreeMap::new();
        evaluate_each(
            conn,
            None,
            &crate::store::access::Visibility::All,
            as_of,
            cal,
            |e| {
                report.agreements += 1;
                let mut due = vec![];
                for o in e.obligations {
                    let occasion = due_occasion(&o, e.expires_on, cal, &self.schedule, as_of);
                    let open = o.state.is_open();
                    let in_digest = monday
                        && open
                        && o.due_on.is_some_and(|d| d <= until)
                        && !occasions(&o, e.expires_on, cal, &self.schedule).is_empty();
                    if in_digest {
                        per_office
                            .entry(e.first_institution_id)
                            .or_default()
                            .push((e.agreement_id, o.clone()));
                    }
                    if let Some(oc) = occasion {
                        due.push((o, oc.code));
                    }
                }
                if !due.is_empty() {
                    candidates.push((e.agreement_id, due));
                }
            },
        )?;
        report.revived += self.revive(conn, as_of, cal)?;
        for (agreement_id, due) in candidates {
            let (_, doc) = agreements::load_doc(conn, agreement_id)?;
            let to_office = matches!(recipients(&doc), Recipients::Office { .. });
            for (o, occasion) in &due {
                for message in self.compose(&doc, agreement_id, o, occasion, as_of)? {
                    let stored = outbox::insert_new(conn, &message)?;
                    if !stored {
                        report.already_planned += 1;
                    } else if message.state == outbox::UNDELIVERABLE {
                        report.undeliverable += 1;
                    } else {
                        report.queued += 1;
                        report.to_office += to_office as usize;
                    }
                }
            }
        }
        if monday {
            report.queued += self.plan_digests(conn, as_of, per_office)?;
        }
        Ok(report)
    }

    /// The messages of one occasion of one obligation: one per recipient of
    /// PIHAK KEDUA, or one to the Dukcapil office when the agency has no
    /// address, or one undeliverable row when nobody has one.
    fn compose(
        &self,
        doc: &AgreementDoc,
        agreement_id: i64,
        o: &Obligation,
        occasion: &str,
        as_of: NaiveDate,
    ) -> Result<Vec<NewMessage>, StoreError> {
        let first = doc
            .party(Side::First)
            .map(|p| p.institution.name.clone())
            .unwrap_or_default();
        let second = doc
            .party(Side::Second)
            .map(|p| p.institution.name.clone())
            .unwrap_or_default();
        let (to, cc, to_office): (Vec<(String, Option<String>)>, Option<String>, bool) =
            match recipients(doc) {
                Recipients::Agency { to, cc } => (
                    to.into_iter().map(|(n, e)| (n, Some(e))).collect(),
                    cc,
                    false,
                ),
                Recipients::Office { name, email } => (vec![(name, Some(email))], None, true),
                Recipients::Nobody => (vec![(first.clone(), None)], None, true),
            };
        let due_on = o.due_on.unwrap_or(as_of);
        let office_email = cc.clone().or_else(|| office_address(doc).map(|(_, e)| e));
        let mut out = vec![];
        for (name, email) in &to {
            let data = ReminderData {
                recipient_name: name,
                obligation: o.kind.label(),
                subject: o.subject.as_deref(),
                overdue: o.state == ObligationState::Overdue,
                due_today: due_on == as_of,
                days_left: (due_on - as_of).num_days().max(0),
                days_overdue: (as_of - due_on).num_days().max(0),
                due_long: date_long(due_on),
                due_short: date_short(due_on),
                title: &doc.title,
                numbers: numbers(doc),
                party: &second,
                first_party: &first,
                office_email: office_email.as_deref(),
                action: action(o, doc, &first, doc.terms.report_deadline_working_days),
                at_risk: o.at_risk,
                provisional: o.provisional,
                to_office,
                link: match to_office {
                    true => format!("{}/perjanjian/{agreement_id}#kewajiban", self.public_url),
                    false => format!(
                        "{}{}",
                        self.public_url,
                        crate::domain::evidence::task_path(agreement_id, &o.key)
                    ),
                },
            };
            let r = self
                .templates
                .render("reminder", &data)
                .map_err(StoreError::Unavailable)?;
            let (recipient, key_part) = match email {
                Some(e) => (mailbox(name, e), e.as_str()),
                None => (String::new(), NO_ADDRESS),
            };
            let mut message = NewMessage {
                agreement_id: Some(agreement_id),
                obligation_key: Some(o.key.clone()),
                due_on: o.due_on,
                cc: cc.clone(),
                ..NewMessage::queued(
                    reminder_key(agreement_id, o, occasion, key_part),
                    occasion.to_string(),
                    recipient,
                    r.subject,
                    r.text,
                    r.html,
                )
            };
            if email.is_none() {
                message.state = outbox::UNDELIVERABLE;
            }
            out.push(message);
        }
        Ok(out)
    }

    /// Sends on the undeliverable reminders whose agreement has an address
    /// now (re-worded for whoever receives them), and cancels those whose
    /// obligation was met or whose date moved meanwhile. Returns how many
    /// were sent on.
    pub fn revive(
        &self,
        conn: &mut DbConnection,
        today: NaiveDate,
        cal: &Calendar,
    ) -> Result<usize, StoreError> {
        // The scheduler calls this after every write to the registry: most
        // of the time no reminder waits for an address at all.
        if !outbox::any_undeliverable(conn)? {
            return Ok(0);
        }
        let mut revived = 0;
        // Each agreement is read and its obligations computed once, however
        // many of its reminders wait (this only writes to the outbox).
        let mut evaluated = std::collections::HashMap::new();
        for row in outbox::undeliverable(conn)? {
            let Some((doc, o)) = self.open_obligation(conn, &row, today, cal, &mut evaluated)?
            else {
                outbox::settle_undeliverable(conn, row.id, None, STALE)?;
                continue;
            };
            let (Some(agreement_id), false) = (
                row.agreement_id,
                matches!(recipients(&doc), Recipients::Nobody),
            ) else {
                continue;
            };
            let mut messages = self
                .compose(&doc, agreement_id, &o, &row.occasion, today)?
                .into_iter();
            let Some(first) = messages.next() else {
                continue;
            };
            if outbox::exists(conn, &first.dedupe_key)? {
                outbox::settle_undeliverable(conn, row.id, None, "sudah dijadwalkan ulang")?;
                continue;
            }
            if outbox::settle_undeliverable(conn, row.id, Some(&first), "")? {
                revived += 1;
                for m in messages {
                    outbox::insert_new(conn, &m)?;
                }
            }
        }
        Ok(revived)
    }

    /// One weekly e-mail per Dukcapil office listing what falls due in the coming days.
    fn plan_digests(
        &self,
        conn: &mut DbConnection,
        as_of: NaiveDate,
        per_office: BTreeMap<i64, Vec<(i64, Obligation)>>,
    ) -> Result<usize, StoreError> {
        let until = as_of + Days::new(self.digest_days as u64);
        let ids: Vec<i64> = per_office.values().flatten().map(|(id, _)| *id).collect();
        let labels = crate::store::obligations::labels(conn, &ids)?;
        let numbers = crate::store::obligations::numbers(conn, &ids)?;
        let offices = crate::store::obligations::office_contacts(
            conn,
            &per_office.keys().copied().collect::<Vec<_>>(),
        )?;
        let week = as_of.iso_week();
        let mut queued = 0;
        for (office, mut items) in per_office {
            let Some((office_name, Some(email))) = offices.get(&office).cloned() else {
                continue;
            };
            items.sort_by_key(|(id, o)| (o.due_on, *id));
            #[derive(Serialize)]
            struct Item {
                due_short: String,
                obligation: &'static str,
                subject: Option<String>,
                party: String,
                numbers: String,
                overdue: bool,
                provisional: bool,
            }
            let rows: Vec<Item> = items
                .iter()
                .map(|(id, o)| Item {
                    due_short: o.due_on.map(date_short).unwrap_or_default(),
                    obligation: o.kind.label(),
                    subject: o.subject.clone(),
                    party: labels.get(id).map(|l| l.1.clone()).unwrap_or_default(),
                    numbers: numbers.get(id).cloned().unwrap_or_default(),
                    overdue: o.state == ObligationState::Overdue,
                    provisional: o.provisional,
                })
                .collect();
            let data = serde_json::json!({
                "office": office_name, "count": rows.len(), "days": self.digest_days,
                "until_short": date_short(until), "until_long": date_long(until), "items": rows,
            });
            let r = self
                .templates
                .render("digest", &data)
                .map_err(StoreError::Unavailable)?;
            let week_code = format!("{}-W{:02}", week.year(), week.week());
            let message = NewMessage::queued(
                format!("digest|{office}|{week_code}|{}", email.to_lowercase()),
                format!("digest:{week_code}"),
                mailbox(&office_name, &email),
                r.subject,
                r.text,
                r.html,
            );
            let stored = outbox::insert_new(conn, &message)?;
            queued += stored as usize;
        }
        Ok(queued)
    }

    /// The obligation a stored reminder is about, with its agreement, while
    /// the reminder still applies: the obligation is open, its due date
    /// unchanged, and the occasion has come.
    fn open_obligation(
        &self,
        conn: &mut DbConnection,
        row: &outbox::OutboxRow,
        today: NaiveDate,
        cal: &Calendar,
        evaluated: &mut Evaluated,
    ) -> Result<Option<(AgreementDoc, Obligation)>, StoreError> {
        let Some(aid) = row.agreement_id else {
            return Ok(None);
        };
        if !evaluated.contains_key(&aid) {
            let found = match agreements::load_doc(conn, aid) {
                Ok((r, doc)) => {
                    let facts = facts_for(conn, &r, &doc)?;
                    let obls = crate::domain::obligations::obligations(
                        &facts,
                        cal,
                        today,
                        Default::default(),
                    );
                    Some((r.expires_on, doc, obls))
                }
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e),
            };
            evaluated.insert(aid, found);
        }
        let Some(Some((expires_on, doc, obls))) = evaluated.get(&aid) else {
            return Ok(None);
        };
        let found = obls.iter().find(|o| {
            Some(&o.key) == row.obligation_key.as_ref()
                && o.due_on == row.due_on
                && o.state.is_open()
                && occasions(o, *expires_on, cal, &self.schedule)
                    .iter()
                    .any(|oc| oc.code == row.occasion && oc.on <= today)
        });
        Ok(found.map(|o| (doc.clone(), o.clone())))
    }

    /// Whether what a reminder is about has evidence uploaded and waiting
    /// for review.
    fn under_review(
        &self,
        conn: &mut DbConnection,
        row: &outbox::OutboxRow,
    ) -> Result<bool, StoreError> {
        match (row.agreement_id, &row.obligation_key) {
            (Some(aid), Some(key)) => crate::store::submissions::waiting(conn, aid, key),
            _ => Ok(false),
        }
    }

    /// Whether a stored reminder still applies (a digest always does).
    fn still_applies(
        &self,
        conn: &mut DbConnection,
        row: &outbox::OutboxRow,
        today: NaiveDate,
        cal: &Calendar,
    ) -> Result<bool, StoreError> {
        if row.agreement_id.is_none() || row.obligation_key.is_none() {
            return Ok(true);
        }
        let mut evaluated = Evaluated::new();
        Ok(self
            .open_obligation(conn, row, today, cal, &mut evaluated)?
            .is_some())
    }

    /// Sends what is due now. Each row is claimed first, so concurrent
    /// senders (threads, processes, servers) never send it twice.
    pub fn send_due(
        &self,
        conn: &mut DbConnection,
        today: NaiveDate,
        cal: &Calendar,
    ) -> Result<SendReport, StoreError> {
        let mut report = SendReport::default();
        loop {
            let now = utc_now();
            let ids = outbox::due_ids(conn, now, 100)?;
            if ids.is_empty() {
                break;
            }
            let mut progressed = false;
            for id in ids {
                if !outbox::claim(conn, id, &self.worker, now, Duration::minutes(5))? {
                    continue;
                }
                progressed = true;
                let row = outbox::get(conn, id)?;
                if !self.still_applies(conn, &row, today, cal)? {
                    if self.under_review(conn, &row)? {
                        // Paused: asked again tomorrow; sent if the upload
                        // is returned, cancelled once it is accepted.
                        let at = utc_now() + Duration::days(1);
                        outbox::postpone(conn, id, &self.worker, at, UNDER_REVIEW)?;
                        report.paused += 1;
                    } else {
                        outbox::mark_cancelled(conn, id, &self.worker, STALE)?;
                        report.cancelled += 1;
                    }
                    continue;
                }
                match self.mailer.send(&self.from, &row) {
                    Ok(()) => {
                        outbox::mark_sent(conn, id, &self.worker, utc_now())?;
                        if outbox::CARRIES_LINK.contains(&row.occasion.as_str()) {
                            outbox::scrub(conn, id)?;
                        }
                        report.sent += 1;
                    }
                    Err(e) if e.transient && row.attempts + 1 < MAX_ATTEMPTS => {
                        let wait = backoff(row.attempts + 1);
                        outbox::mark_attempt_failed(
                            conn,
                            id,
                            &self.worker,
                            &e.message,
                            Some(utc_now() + wait),
                        )?;
                        tracing::warn!(id, attempts = row.attempts + 1, error = %e.message, "reminder queued for retry");
                        report.retry_later += 1;
                    }
                    Err(e) => {
                        outbox::mark_attempt_failed(conn, id, &self.worker, &e.message, None)?;
                        tracing::error!(id, error = %e.message, "reminder failed");
                        report.failed += 1;
                    }
                }
            }
            if !progressed {
                break;
            }
        }
        Ok(report)
    }
}

impl Reminders {
    /// A sender with the default schedule, linking to the default address.
    pub fn new(templates: Templates, mailer: Mailer, from: Mailbox) -> Self {
        Reminders {
            templates,
            mailer,
            from,
            schedule: Schedule::default(),
            digest_days: 30,
            worker: worker_id(),
            public_url: format!("http://{}", crate::config::DEFAULT_BIND),
        }
    }

    pub fn from_config(config: &crate::config::Config) -> Result<Self, String> {
        Ok(Reminders {
            public_url: crate::config::public_url(config),
            ..Reminders::new(
                Templates::load(config.templates_dir.as_deref())?,
                Mailer::new(config.smtp_url.as_deref(), config.outbox_dir.clone())?,
                config
                    .mail_from
                    .parse()
                    .map_err(|e| format!("SEPAKAT_MAIL_FROM tidak valid: {e}"))?,
            )
        })
    }

    /// Runs inside `serve`: plans at start (catch-up) and daily at `hour`
    /// (Asia/Jakarta), and sends what is due every `tick`. Supervised: a run
    /// that fails or panics is logged, recorded in `health`, and the next
    /// tick starts over.
    pub fn spawn_scheduler(
        self,
        pool: crate::store::Pool,
        hour: u32,
        tick: std::time::Duration,
        health: std::sync::Arc<SchedulerHealth>,
    ) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            let mut planned_on: Option<NaiveDate> = None;
            // Undeliverable reminders are looked at again after each write
            // to the registry (an address may have been added), not every tick.
            let mut revived_at: Option<i64> = None;
            loop {
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.run_once(&pool, hour, &mut planned_on, &mut revived_at)
                }));
                match run {
                    Ok(Ok(())) => health.ran(None),
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "reminder run failed");
                        health.ran(Some(e.to_string()));
                    }
                    Err(panic) => {
                        let what = panic
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "panic".into());
                        tracing::error!(error = %what, "reminder scheduler died; restarting");
                        health.restarted(what);
                    }
                }
                std::thread::sleep(tick);
            }
        })
    }

    fn run_once(
        &self,
        pool: &crate::store::Pool,
        hour: u32,
        planned_on: &mut Option<NaiveDate>,
        revived_at: &mut Option<i64>,
    ) -> Result<(), StoreError> {
        let mut conn = pool.get()?;
        let cal = crate::store::holidays::calendar(&mut conn)?;
        let today = crate::today_jakarta();
        let hour_now = (chrono::Utc::now() + Duration::hours(7)).hour();
        if planned_on.is_none() || (*planned_on != Some(today) && hour_now >= hour) {
            // Daily, since autovacuum may be off (see refresh_statistics).
            let _ = crate::store::db::refresh_statistics(&mut conn);
            let r = self.plan(&mut conn, today, &cal)?;
            tracing::info!(
                queued = r.queued,
                agreements = r.agreements,
                "reminders planned"
            );
            *planned_on = Some(today);
        }
        let version = crate::store::db::registry_version(&mut conn)?;
        if *revived_at != Some(version) {
            let n = self.revive(&mut conn, today, &cal)?;
            if n > 0 {
                tracing::info!(revived = n, "undeliverable reminders sent on");
            }
            *revived_at = Some(version);
        }
        let s = self.send_due(&mut conn, today, &cal)?;
        if s != SendReport::default() {
            tracing::info!(
                sent = s.sent,
                retry = s.retry_later,
                failed = s.failed,
                "reminders sent"
            );
        }
        Ok(())
    }
}

/// What the scheduler last did, for `/healthz`.
#[derive(Debug, Default)]
pub struct SchedulerHealth(std::sync::Mutex<SchedulerStatus>);

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(
    description = "Penjadwal pengingat: kapan terakhir berjalan, galat terakhirnya, dan \
    berapa kali dimulai ulang setelah mati."
)]
pub struct SchedulerStatus {
    #[serde(serialize_with = "crate::json::utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_run: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub restarts: u32,
}

impl SchedulerHealth {
    fn ran(&self, error: Option<String>) {
        if let Ok(mut s) = self.0.lock() {
            s.last_run = Some(utc_now());
            s.last_error = error;
        }
    }

    fn restarted(&self, what: String) {
        if let Ok(mut s) = self.0.lock() {
            s.last_run = Some(utc_now());
            s.last_error = Some(what);
            s.restarts += 1;
        }
    }

    pub fn status(&self) -> SchedulerStatus {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

pub const MAX_ATTEMPTS: i32 = 12;

/// Why a stored reminder is not sent.
const UNDER_REVIEW: &str = "bukti kewajiban menunggu pemeriksaan Dinas";
const STALE: &str = "kewajiban sudah dipenuhi atau jadwalnya berubah";

/// The recipient part of an undeliverable reminder's key.
const NO_ADDRESS: &str = "-";

/// 1, 2, 4 … minutes after each failed attempt, at most six hours.
pub fn backoff(attempts: i32) -> Duration {
    let minutes = 1i64 << (attempts.clamp(1, 12) - 1);
    Duration::minutes(minutes.min(360))
}

/// Identifies one sending process: host, process id, start time.
pub fn worker_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "sepakat".into());
    format!(
        "{host}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    )
}

#[cfg(test)]
mod scheduler_tests {
    use super::*;

    /// A run that fails (here: a database without its tables) is recorded
    /// and the scheduler keeps going, tick after tick.
    #[test]
    fn a_failing_run_is_recorded_and_the_scheduler_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::store::connect(dir.path().join("x.db").to_str().unwrap(), 1).unwrap();
        let reminders = Reminders::new(
            Templates::load(None).unwrap(),
            Mailer::new(None, dir.path().join("outbox")).unwrap(),
            "Sepakat <sepakat@localhost>".parse().unwrap(),
        );
        let health = std::sync::Arc::new(SchedulerHealth::default());
        reminders.spawn_scheduler(
            pool,
            7,
            std::time::Duration::from_millis(20),
            health.clone(),
        );
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let first = loop {
            let s = health.status();
            if s.last_run.is_some() || std::time::Instant::now() > deadline {
                break s;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        assert!(first.last_error.is_some(), "{first:?}");
        std::thread::sleep(std::time::Duration::from_millis(200));
        let later = health.status();
        assert!(later.last_run > first.last_run, "still running: {later:?}");
    }
}
