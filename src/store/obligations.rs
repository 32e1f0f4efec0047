//! What the obligation engine reads, loaded for one agreement or in bulk
//! for all of them, and the records that waive an obligation or close the
//! SAM card.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::db::on_backend;
use super::schema::{
    agreements, applications, certificates, juknis, juknis_people, obligation_waivers, people,
    renewals, reports, sam_returns, statements,
};
use super::{agreements::AgreementRow, now, DbConnection, StoreError};
use crate::domain::agreement::AgreementDoc;
use crate::domain::obligations::{ApplicationFact, Facts, ReportFact, StatementFact};
use crate::domain::status::Lifecycle;

/// Adds the waivers and the SAM return to facts taken from the document.
pub fn facts_for(
    conn: &mut DbConnection,
    row: &AgreementRow,
    doc: &AgreementDoc,
) -> Result<Facts, StoreError> {
    let mut f = Facts::from_doc(doc, row.lifecycle());
    f.waivers = on_backend!(&mut *conn, |c| obligation_waivers::table
        .filter(obligation_waivers::agreement_id.eq(row.id))
        .select((
            obligation_waivers::obligation_key,
            obligation_waivers::reason,
        ))
        .load::<(String, String)>(c))?
    .into_iter()
    .collect();
    f.sam_returned_on = on_backend!(&mut *conn, |c| sam_returns::table
        .filter(sam_returns::agreement_id.eq(row.id))
        .select(sam_returns::returned_on)
        .first(c)
        .optional())?;
    for (_, key, at) in super::submissions::waiting_of(conn, Some(&[row.id]))? {
        f.submitted.insert(key, crate::jakarta_date(at));
    }
    Ok(f)
}

/// One agreement's facts with the institutions it binds.
pub struct AgreementFacts {
    pub id: i64,
    pub first_institution_id: i64,
    pub second_institution_id: i64,
    pub facts: Facts,
}

type TermsRow = (
    i64,
    i64,
    i64,
    (
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<NaiveDate>,
    ),
    (i32, Option<NaiveDate>, String, i32, i32, bool),
);

/// Facts of every signed agreement (optionally of one institution), from a
/// few bulk queries instead of one aggregate load per agreement.
pub fn all_facts(
    conn: &mut DbConnection,
    institution: Option<i64>,
    visible: &super::access::Visibility,
    range: Option<(i64, i64)>,
) -> Result<Vec<AgreementFacts>, StoreError> {
    let mut q = visible
        .apply(agreements::table.into_boxed())
        .filter(agreements::signed_on.is_not_null());
    if let Some((from, to)) = range {
        q = q.filter(agreements::id.ge(from).and(agreements::id.lt(to)));
    }
    if let Some(inst) = institution {
        q = q.filter(
            agreements::first_institution_id
                .eq(inst)
                .or(agreements::second_institution_id.eq(inst)),
        );
    }
    let rows: Vec<TermsRow> = q
        .order(agreements::id)
        .select((
            agreements::id,
            agreements::first_institution_id,
            agreements::second_institution_id,
            (
                agreements::signed_on,
                agreements::expires_on,
                agreements::terminated_on,
                agreements::renewed_on,
                agreements::renewal_window_starts_on,
            ),
            (
                agreements::iso27001_months,
                agreements::iso27001_due_on,
                agreements::report_months,
                agreements::report_deadline_working_days,
                agreements::renewal_notice_months,
                agreements::card_reader,
            ),
        ))
        .load(conn)?;
    // Agreement id → position in `out`: a dense table over the id span (ids
    // of one batch are contiguous), which the ~1.4M child rows look up.
    let base = rows.first().map(|r| r.0).unwrap_or(0);
    let span = rows.last().map(|r| (r.0 - base + 1) as usize).unwrap_or(0);
    let mut index: Vec<u32> = vec![u32::MAX; if span <= 4 * rows.len() + 16 { span } else { 0 }];
    let mut sparse: HashMap<i64, usize> = HashMap::new();
    let mut out: Vec<AgreementFacts> = Vec::with_capacity(rows.len());
    for (id, first, second, (signed, expires, terminated, renewed, window), t) in rows {
        match index.get_mut((id - base) as usize) {
            Some(slot) => *slot = out.len() as u32,
            None => {
                sparse.insert(id, out.len());
            }
        }
        out.push(AgreementFacts {
            id,
            first_institution_id: first,
            second_institution_id: second,
            facts: Facts {
                lifecycle: Lifecycle {
                    signed_on: signed,
                    expires_on: expires,
                    terminated_on: terminated,
                    renewed_on: renewed,
                    renewal_window_starts_on: window,
                },
                iso27001_months: t.0 as u32,
                iso27001_due_on: t.1,
                report_months: t.2.split(',').filter_map(|m| m.parse().ok()).collect(),
                report_deadline_working_days: t.3 as u32,
                renewal_notice_months: t.4 as u32,
                card_reader: t.5,
                ..Default::default()
            },
        });
    }
    let only_one = institution.is_some();
    let ids: Vec<i64> = if only_one {
        out.iter().map(|a| a.id).collect()
    } else {
        vec![]
    };
    macro_rules! scoped {
        ($q:expr, $col:expr) => {{
            let q = $q.into_boxed();
            match (only_one, range) {
                (true, _) => q.filter($col.eq_any(ids.clone())),
                (false, Some((from, to))) => q.filter($col.ge(from).and($col.lt(to))),
                (false, None) => q,
            }
        }};
    }
    macro_rules! each {
        ($id:expr, $f:expr) => {
            let id: i64 = $id;
            let at = match index.get((id - base) as usize) {
                Some(&i) if i != u32::MAX && id >= base => Some(i as usize),
                Some(_) => None,
                None => sparse.get(&id).copied(),
            };
            if let Some(i) = at {
                ($f)(&mut out[i].facts)
            }
        };
    }

    let js: Vec<(i64, Option<NaiveDate>)> = scoped!(juknis::table, juknis::agreement_id)
        .select((juknis::agreement_id, juknis::date))
        .load(conn)?;
    for (id, date) in js {
        each!(id, |f: &mut Facts| f.juknis_date = date);
    }
    let contacts: Vec<(i64, String)> = scoped!(
        juknis_people::table.inner_join(juknis::table).filter(
            juknis_people::role
                .eq("contact")
                .and(juknis_people::side.eq("second"))
        ),
        juknis::agreement_id
    )
    .select((juknis::agreement_id, juknis_people::name))
    .load(conn)?;
    for (id, name) in contacts {
        each!(id, |f: &mut Facts| f.operators.push(name));
    }
    let rs: Vec<(i64, i64, NaiveDate)> = scoped!(renewals::table, renewals::agreement_id)
        .select((renewals::agreement_id, renewals::id, renewals::requested_on))
        .load(conn)?;
    for (aid, id, on) in rs {
        each!(aid, |f: &mut Facts| {
            if f.renewal_requested.is_none_or(|(_, d)| on < d) {
                f.renewal_requested = Some((Some(id), on));
            }
        });
    }
    let cs: Vec<(i64, i64, Option<NaiveDate>)> = scoped!(
        certificates::table.filter(certificates::kind.eq("iso27001")),
        certificates::agreement_id
    )
    .select((
        certificates::agreement_id,
        certificates::id,
        certificates::submitted_on,
    ))
    .load(conn)?;
    for (aid, id, on) in cs {
        if let Some(on) = on {
            each!(aid, |f: &mut Facts| {
                if f.iso_submitted.is_none_or(|(_, d)| on < d) {
                    f.iso_submitted = Some((Some(id), on));
                }
            });
        }
    }
    let reps: Vec<(i64, i64, i32, i32, Option<NaiveDate>)> =
        scoped!(reports::table, reports::agreement_id)
            .select((
                reports::agreement_id,
                reports::id,
                reports::year,
                reports::semester,
                reports::submitted_on,
            ))
            .load(conn)?;
    for (aid, id, year, semester, submitted_on) in reps {
        each!(aid, |f: &mut Facts| {
            f.reports.push(ReportFact {
                id: Some(id),
                year,
                semester: semester as u8,
                submitted_on,
            })
        });
    }
    let sts: Vec<(i64, i64, String, String, Option<NaiveDate>)> = scoped!(
        statements::table.inner_join(people::table),
        statements::agreement_id
    )
    .select((
        statements::agreement_id,
        statements::id,
        statements::kind,
        people::name,
        statements::signed_on,
    ))
    .load(conn)?;
    for (aid, id, kind, signer, signed_on) in sts {
        let kind = crate::domain::catalog::StatementKind::from_code(&kind);
        each!(aid, |f: &mut Facts| {
            f.statements.push(StatementFact {
                id: Some(id),
                kind,
                signer,
                signed_on,
            })
        });
    }
    type AppFactRow = (
        i64,
        i64,
        String,
        String,
        Option<NaiveDate>,
        Option<NaiveDate>,
    );
    let apps: Vec<AppFactRow> = scoped!(applications::table, applications::agreement_id)
        .select((
            applications::agreement_id,
            applications::id,
            applications::name,
            applications::poc_status,
            applications::poc_result_date,
            applications::poc_scheduled_on,
        ))
        .load(conn)?;
    for (aid, id, name, poc, result, scheduled) in apps {
        let poc = crate::domain::catalog::PocStatus::from_code(&poc).ok_or_else(|| {
            StoreError::Unavailable(format!("status PoC tersimpan tidak dikenal: {poc}"))
        })?;
        each!(aid, |f: &mut Facts| {
            f.applications.push(ApplicationFact {
                id: Some(id),
                name,
                poc,
                passed_on: result.or(scheduled),
            })
        });
    }
    let ws: Vec<(i64, String, String)> =
        scoped!(obligation_waivers::table, obligation_waivers::agreement_id)
            .select((
                obligation_waivers::agreement_id,
                obligation_waivers::obligation_key,
                obligation_waivers::reason,
            ))
            .load(conn)?;
    for (aid, key, reason) in ws {
        each!(aid, |f: &mut Facts| {
            f.waivers.insert(key, reason);
        });
    }
    let sams: Vec<(i64, NaiveDate)> = scoped!(sam_returns::table, sam_returns::agreement_id)
        .select((sam_returns::agreement_id, sam_returns::returned_on))
        .load(conn)?;
    for (aid, on) in sams {
        each!(aid, |f: &mut Facts| f.sam_returned_on = Some(on));
    }
    // Few wait at any time: all are read and those outside the batch skipped.
    for (aid, key, at) in super::submissions::waiting_of(conn, only_one.then_some(&ids[..]))? {
        each!(aid, |f: &mut Facts| {
            f.submitted.insert(key, crate::jakarta_date(at));
        });
    }
    Ok(out)
}

pub fn waive(
    conn: &mut DbConnection,
    agreement_id: i64,
    key: &str,
    reason: &str,
    on: NaiveDate,
) -> Result<(), StoreError> {
    diesel::delete(
        obligation_waivers::table.filter(
            obligation_waivers::agreement_id
                .eq(agreement_id)
                .and(obligation_waivers::obligation_key.eq(key)),
        ),
    )
    .execute(conn)?;
    diesel::insert_into(obligation_waivers::table)
        .values((
            obligation_waivers::agreement_id.eq(agreement_id),
            obligation_waivers::obligation_key.eq(key),
            obligation_waivers::reason.eq(reason.trim()),
            obligation_waivers::waived_on.eq(on),
            obligation_waivers::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn unwaive(conn: &mut DbConnection, agreement_id: i64, key: &str) -> Result<(), StoreError> {
    let n = diesel::delete(
        obligation_waivers::table.filter(
            obligation_waivers::agreement_id
                .eq(agreement_id)
                .and(obligation_waivers::obligation_key.eq(key)),
        ),
    )
    .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!(
            "pengecualian kewajiban '{key}'"
        )));
    }
    Ok(())
}

pub fn record_sam_return(
    conn: &mut DbConnection,
    agreement_id: i64,
    on: NaiveDate,
    note: Option<&str>,
) -> Result<(), StoreError> {
    diesel::delete(sam_returns::table.filter(sam_returns::agreement_id.eq(agreement_id)))
        .execute(conn)?;
    diesel::insert_into(sam_returns::table)
        .values((
            sam_returns::agreement_id.eq(agreement_id),
            sam_returns::returned_on.eq(on),
            sam_returns::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

/// One agreement's obligations as of a date.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub agreement_id: i64,
    pub first_institution_id: i64,
    pub second_institution_id: i64,
    pub status: crate::domain::status::AgreementStatus,
    pub expires_on: Option<NaiveDate>,
    pub obligations: Vec<crate::domain::obligations::Obligation>,
}

/// Runs the engine over every signed agreement (or one institution's),
/// handing each result to `each` and keeping only one batch of facts in
/// memory at a time.
pub fn evaluate_each(
    conn: &mut DbConnection,
    institution: Option<i64>,
    visible: &super::access::Visibility,
    as_of: NaiveDate,
    cal: &crate::domain::calendar::Calendar,
    mut each: impl FnMut(Evaluated),
) -> Result<(), StoreError> {
    use crate::domain::obligations::{obligations, Rules};
    use crate::domain::status::status_as_of;
    const BATCH: i64 = 5_000;
    // One institution's agreements are read at once. Otherwise in batches
    // over the id span, whose ends are two lookups: SQLite answers MIN or
    // MAX alone from the key, but both in one query by scanning the table.
    let ranges: Vec<Option<(i64, i64)>> = match institution {
        Some(_) => vec![None],
        None => {
            let lo: Option<i64> = agreements::table
                .select(diesel::dsl::min(agreements::id))
                .first(conn)?;
            let hi: Option<i64> = agreements::table
                .select(diesel::dsl::max(agreements::id))
                .first(conn)?;
            match (lo, hi) {
                (Some(lo), Some(hi)) => (lo..=hi)
                    .step_by(BATCH as usize)
                    .map(|a| Some((a, a + BATCH)))
                    .collect(),
                _ => vec![None],
            }
        }
    };
    // One thread loads the next batch while this one runs the rules over
    // the last: on two cores the run takes about as long as the loading.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<AgreementFacts>, StoreError>>(1);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for range in ranges {
                let batch = all_facts(conn, institution, visible, range);
                let failed = batch.is_err();
                if tx.send(batch).is_err() || failed {
                    break;
                }
            }
        });
        for batch in rx {
            for a in batch? {
                each(Evaluated {
                    agreement_id: a.id,
                    first_institution_id: a.first_institution_id,
                    second_institution_id: a.second_institution_id,
                    status: status_as_of(&a.facts.lifecycle, as_of),
                    expires_on: a.facts.lifecycle.expires_on,
                    obligations: obligations(&a.facts, cal, as_of, Rules::default()),
                });
            }
        }
        Ok(())
    })
}

/// Title and PIHAK KEDUA name of the given agreements, for lists.
pub fn labels(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, (String, String)>, StoreError> {
    use super::schema::{agreement_parties, institutions};
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, String, String)> = agreements::table
        .inner_join(agreement_parties::table.inner_join(institutions::table))
        .filter(
            agreements::id
                .eq_any(ids)
                .and(agreement_parties::side.eq("second")),
        )
        .select((agreements::id, agreements::title, institutions::name))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, t, n)| (id, (t, n))).collect())
}

/// "400.12/2432/2025 dan 518/4180/IX/2025" for each of the given agreements.
pub fn numbers(conn: &mut DbConnection, ids: &[i64]) -> Result<HashMap<i64, String>, StoreError> {
    use super::schema::agreement_parties;
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, Option<String>)> = agreement_parties::table
        .filter(agreement_parties::agreement_id.eq_any(ids))
        .order((agreement_parties::agreement_id, agreement_parties::side))
        .select((agreement_parties::agreement_id, agreement_parties::number))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, n) in rows {
        if let Some(n) = n {
            out.entry(id).or_default().push(n);
        }
    }
    Ok(out
        .into_iter()
        .map(|(id, v)| (id, crate::domain::words::join_list(&v)))
        .collect())
}

/// Name and e-mail of each given institution.
pub fn office_contacts(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, (String, Option<String>)>, StoreError> {
    use super::schema::institutions;
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, String, Option<String>)> = institutions::table
        .filter(institutions::id.eq_any(ids))
        .select((institutions::id, institutions::name, institutions::email))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, n, e)| (id, (n, e))).collect())
}
