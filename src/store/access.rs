//! Which agreements a user may see, enforced in the queries themselves: an
//! office sees the agreements it issued and those of the offices below it
//! in the region hierarchy (Ditjen Dukcapil sees all); an agency sees those
//! it is PIHAK KEDUA of.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::schema::{agreement_parties, agreements, institutions, statements};
use super::{DbConnection, StoreError};
use crate::domain::catalog::Role;

#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub enum Visibility {
    #[default]
    All,
    /// Agreements whose PIHAK KESATU is one of these offices.
    IssuedBy(Vec<i64>),
    /// Agreements whose PIHAK KEDUA is this agency.
    UsedBy(i64),
    Nothing,
}

type Db = <DbConnection as diesel::Connection>::Backend;

impl Visibility {
    pub fn of(
        conn: &mut DbConnection,
        role: Role,
        institution: Option<i64>,
    ) -> Result<Visibility, StoreError> {
        Ok(match (role, institution) {
            (Role::Admin, _) => Visibility::All,
            (_, None) => Visibility::Nothing,
            (Role::Opd, Some(agency)) => Visibility::UsedBy(agency),
            (Role::Legal | Role::Viewer, Some(office)) => {
                let rows: Vec<(i64, Option<i64>, String)> = institutions::table
                    .select((
                        institutions::id,
                        institutions::parent_id,
                        institutions::kind,
                    ))
                    .load(conn)?;
                if rows
                    .iter()
                    .any(|(id, _, kind)| *id == office && kind == "dukcapil_pusat")
                {
                    return Ok(Visibility::All);
                }
                let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
                for (id, parent, _) in &rows {
                    if let Some(p) = parent {
                        children.entry(*p).or_default().push(*id);
                    }
                }
                let mut seen = HashSet::from([office]);
                let mut stack = vec![office];
                while let Some(i) = stack.pop() {
                    for c in children.get(&i).into_iter().flatten() {
                        if seen.insert(*c) {
                            stack.push(*c);
                        }
                    }
                }
                let mut ids: Vec<i64> = seen.into_iter().collect();
                ids.sort_unstable();
                Visibility::IssuedBy(ids)
            }
        })
    }

    pub fn is_all(&self) -> bool {
        *self == Visibility::All
    }

    /// `q` narrowed to what this visibility allows.
    pub fn apply<'a>(&self, q: agreements::BoxedQuery<'a, Db>) -> agreements::BoxedQuery<'a, Db> {
        match self {
            Visibility::All => q,
            Visibility::IssuedBy(ids) => {
                q.filter(agreements::first_institution_id.eq_any(ids.clone()))
            }
            Visibility::UsedBy(agency) => q.filter(agreements::second_institution_id.eq(*agency)),
            Visibility::Nothing => q.filter(agreements::id.lt(0)),
        }
    }

    /// Whether agreement `id` exists and may be seen; the caller answers
    /// "not found" either way, so nothing tells the two apart.
    pub fn sees(&self, conn: &mut DbConnection, id: i64) -> Result<bool, StoreError> {
        if self.is_all() {
            return Ok(true);
        }
        let n: i64 = self
            .apply(agreements::table.into_boxed())
            .filter(agreements::id.eq(id))
            .count()
            .get_result(conn)?;
        Ok(n > 0)
    }

    /// The institutions this reader may see: the parties of its agreements
    /// and its own offices; `None` for all.
    pub fn institutions(&self, conn: &mut DbConnection) -> Result<Option<Vec<i64>>, StoreError> {
        if self.is_all() {
            return Ok(None);
        }
        let mut ids: Vec<i64> = match self {
            Visibility::IssuedBy(offices) => offices.clone(),
            Visibility::UsedBy(agency) => vec![*agency],
            _ => vec![],
        };
        let parties: Vec<(i64, i64)> = self
            .apply(agreements::table.into_boxed())
            .select((
                agreements::first_institution_id,
                agreements::second_institution_id,
            ))
            .load(conn)?;
        ids.extend(parties.into_iter().flat_map(|(a, b)| [a, b]));
        ids.sort_unstable();
        ids.dedup();
        Ok(Some(ids))
    }

    /// The people this reader may see: signatories and statement signers of
    /// its agreements; `None` for all.
    pub fn people(&self, conn: &mut DbConnection) -> Result<Option<Vec<i64>>, StoreError> {
        if self.is_all() {
            return Ok(None);
        }
        let ids: Vec<i64> = self
            .apply(agreements::table.into_boxed())
            .select(agreements::id)
            .load(conn)?;
        let mut people: Vec<i64> = agreement_parties::table
            .filter(agreement_parties::agreement_id.eq_any(ids.clone()))
            .select(agreement_parties::signatory_id)
            .load::<Option<i64>>(conn)?
            .into_iter()
            .flatten()
            .collect();
        people.extend(
            statements::table
                .filter(statements::agreement_id.eq_any(ids))
                .select(statements::signer_id)
                .load::<i64>(conn)?,
        );
        people.sort_unstable();
        people.dedup();
        Ok(Some(people))
    }
}
