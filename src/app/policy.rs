//! Who may do what: the one place a door's request meets a right. Roles
//! decide the action ([`allow`], pure); whose agreement it is is decided by
//! what the actor may see ([`sees`]), so that an agreement outside an
//! actor's offices answers exactly as one that does not exist.

use super::{Actor, AppError};
use crate::domain::catalog::Role;
use crate::store::{DbConnection, StoreError};

/// Records an agency (`opd`) keeps for its own agreements.
pub const OPD_RECORDS: &[&str] = &["reports", "certificates", "statements", "renewals"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    CreateAgreement,
    /// Patch, terminate, re-assign.
    EditAgreement,
    DeleteAgreement,
    /// Create or change a record of `collection` (`reports`, `scopes`…).
    WriteRecord {
        collection: &'a str,
    },
    DeleteRecord {
        collection: &'a str,
    },
    WaiveObligation,
    ReturnSam,
    WriteInstitution,
    WritePerson,
    WriteHolidays,
    ListUsers,
    CreateUser {
        role: Role,
    },
    ChangeUser,
    /// An actor's own calendar subscription.
    OwnFeed,
    /// Send a failed reminder again now.
    RetryReminder,
    /// Upload evidence against an obligation.
    SubmitEvidence,
    /// Accept or return an upload.
    ReviewSubmission,
    /// Add or remove an operator of PIHAK KEDUA's applications.
    ManageOperators,
}

/// Whether the actor's role may take the action at all.
pub fn allow(actor: &Actor, action: Action) -> Result<(), AppError> {
    use Action::*;
    let refuse = |m: &str| Err(AppError::Forbidden(m.to_string()));
    if action == OwnFeed {
        return Ok(());
    }
    if !matches!(actor.role, Role::Admin | Role::Legal) {
        match action {
            ListUsers => return refuse("hanya admin dan staf hukum yang dapat melihat akun"),
            CreateUser { .. } => {
                return refuse("hanya admin dan staf hukum yang dapat menambah akun")
            }
            _ => {}
        }
    }
    match actor.role {
        Role::Admin => Ok(()),
        Role::Viewer => refuse("peran viewer hanya dapat membaca"),
        Role::Opd => match action {
            WriteRecord { collection } if OPD_RECORDS.contains(&collection) => Ok(()),
            SubmitEvidence | ManageOperators => Ok(()),
            ReviewSubmission => refuse("hanya staf Dinas yang memeriksa bukti kewajiban"),
            _ => refuse(
                "peran opd hanya dapat mencatat laporan, sertifikat, SPTJM/NDA dan permohonan \
                 perpanjangan perjanjiannya sendiri",
            ),
        },
        Role::Legal => match action {
            CreateUser { role } if role != Role::Opd => {
                refuse("staf hukum hanya dapat menambah akun peran opd")
            }
            ChangeUser => refuse("hanya admin yang dapat mengubah akun"),
            _ => Ok(()),
        },
    }
}

/// The agreement exists and the actor may see it; otherwise "not found",
/// whichever it is.
pub fn sees(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<(), StoreError> {
    if actor.visible.sees(c, id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!("perjanjian {id}")))
    }
}

/// After a write: the agreement is still the actor's (legal staff cannot
/// create or move an agreement outside their office); the caller's
/// transaction rolls back otherwise.
pub fn still_yours(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<(), StoreError> {
    if actor.visible.sees(c, id)? {
        return Ok(());
    }
    Err(StoreError::invalid(
        "/parties/0/institution",
        "PIHAK KESATU harus kantor Anda atau kantor di bawahnya",
    ))
}

/// The actor approves drafts for signing, or sends them back: an admin, or
/// legal staff whose account is marked an approver.
pub fn approves(c: &mut DbConnection, actor: &Actor) -> Result<(), AppError> {
    let refuse = || {
        Err(AppError::Forbidden(
            "hanya penyetuju draf kantor (staf hukum yang ditandai penyetuju oleh admin) yang dapat \
             menyetujui atau mengembalikan draf"
                .into(),
        ))
    };
    match actor.role {
        Role::Admin => Ok(()),
        Role::Legal => match actor.user {
            Some(id) if crate::store::users::get(c, id)?.approver => Ok(()),
            _ => refuse(),
        },
        _ => refuse(),
    }
}

/// The institution exists and the actor may see it.
pub fn sees_institution(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<(), StoreError> {
    match actor.visible.institutions(c)? {
        Some(ids) if !ids.contains(&id) => Err(StoreError::NotFound(format!("instansi {id}"))),
        _ => Ok(()),
    }
}

/// The person exists and the actor may see them.
pub fn sees_person(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<(), StoreError> {
    match actor.visible.people(c)? {
        Some(ids) if !ids.contains(&id) => Err(StoreError::NotFound(format!("orang {id}"))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::access::Visibility;

    fn actor(role: Role) -> Actor {
        Actor {
            user: Some(1),
            name: "x".into(),
            role,
            institution_id: Some(1),
            visible: Visibility::Nothing,
        }
    }

    #[test]
    fn each_role_takes_its_actions() {
        use Action::*;
        let report = WriteRecord {
            collection: "reports",
        };
        let scope = WriteRecord {
            collection: "scopes",
        };
        let cases: &[(Role, Action, bool)] = &[
            (Role::Admin, ChangeUser, true),
            (Role::Legal, EditAgreement, true),
            (Role::Legal, CreateUser { role: Role::Opd }, true),
            (Role::Legal, CreateUser { role: Role::Legal }, false),
            (Role::Legal, ChangeUser, false),
            (Role::Opd, report, true),
            (Role::Opd, scope, false),
            (
                Role::Opd,
                DeleteRecord {
                    collection: "reports",
                },
                false,
            ),
            (Role::Opd, EditAgreement, false),
            (Role::Opd, OwnFeed, true),
            (Role::Viewer, report, false),
            (Role::Viewer, OwnFeed, true),
            (Role::Viewer, WriteHolidays, false),
            (Role::Legal, RetryReminder, true),
            (Role::Viewer, RetryReminder, false),
            (Role::Opd, RetryReminder, false),
            (Role::Opd, SubmitEvidence, true),
            (Role::Opd, ReviewSubmission, false),
            (Role::Legal, ReviewSubmission, true),
            (Role::Viewer, SubmitEvidence, false),
            (Role::Opd, ManageOperators, true),
            (Role::Viewer, ManageOperators, false),
        ];
        for (role, action, allowed) in cases {
            assert_eq!(
                allow(&actor(*role), *action).is_ok(),
                *allowed,
                "{role:?} {action:?}"
            );
        }
    }
}
