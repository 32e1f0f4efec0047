//! Which agreements a user may see, enforced in the queries themselves: an
//! office sees the agreements it issued and those of the offices below it
//! in the region hierarchy (Ditjen Dukcapil sees all); an agency sees those
//! it is PIHAK KEDUA of.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::schema::{agreements, institutions};
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
}
