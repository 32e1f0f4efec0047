//! What drawing up and checking a document needs beyond the agreement itself.

use diesel::prelude::*;

use super::db::on_backend;
use super::schema::{agreement_parties, agreements, people};
use super::{decode_opt, encode, DbConnection, StoreError};
use crate::domain::agreement::AgreementDoc;
use crate::domain::catalog::Side;
use crate::domain::check::CurrentHead;

/// For each party, the signatory of the latest signed agreement in which its
/// institution stood on the same side: the registry's best knowledge of who
/// heads it now.
pub fn current_heads(
    conn: &mut DbConnection,
    doc: &AgreementDoc,
) -> Result<Vec<CurrentHead>, StoreError> {
    let mut heads = vec![];
    for party in &doc.parties {
        let Some(institution) = party.institution.id else {
            continue;
        };
        // The latest signed agreement of the institution on this side, from
        // the top of its (institution, signed_on, id) index. Both reads run
        // on the backend's own connection (`on_backend`), whose statement
        // cache keeps them prepared.
        let signed = agreements::table
            .filter(agreements::signed_on.is_not_null())
            .order((agreements::signed_on.desc(), agreements::id.desc()))
            .select(agreements::id);
        let newest: Option<i64> = match party.side {
            Side::First => on_backend!(&mut *conn, |c| signed
                .filter(agreements::first_institution_id.eq(institution))
                .first(c)
                .optional())?,
            Side::Second => on_backend!(&mut *conn, |c| signed
                .filter(agreements::second_institution_id.eq(institution))
                .first(c)
                .optional())?,
        };
        let Some(newest) = newest else {
            continue;
        };
        let side = encode(&party.side);
        let signatory = || {
            agreement_parties::table
                .inner_join(agreements::table)
                .inner_join(people::table)
                .filter(agreement_parties::institution_id.eq(institution))
                .filter(agreement_parties::side.eq(side.clone()))
                .filter(agreements::signed_on.is_not_null())
                .select((
                    people::name,
                    people::nip,
                    agreements::signed_on,
                    agreement_parties::number,
                ))
        };
        type Head = (
            String,
            Option<String>,
            Option<chrono::NaiveDate>,
            Option<String>,
        );
        let mut latest: Option<Head> = on_backend!(&mut *conn, |c| signatory()
            .filter(agreement_parties::agreement_id.eq(newest))
            .first(c)
            .optional())?;
        if latest.is_none() {
            // The newest names no signatory on this side (a PKS recorded in
            // part): the newest that does, the long way.
            latest = signatory()
                .order((agreements::signed_on.desc(), agreements::id.desc()))
                .first(conn)
                .optional()?;
        }
        if let Some((name, nip, Some(since), number)) = latest {
            heads.push(CurrentHead {
                side: party.side,
                name,
                nip: decode_opt(nip)?,
                since,
                agreement_number: number,
            });
        }
    }
    Ok(heads)
}

/// The template set of the issuing office (PIHAK KESATU), if it chose one.
pub fn document_set(doc: &AgreementDoc) -> Option<String> {
    doc.party(Side::First)
        .and_then(|p| p.institution.document_set.clone())
}
