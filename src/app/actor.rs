//! Who acts: a signed-in user, the operator at the command line, or the
//! program itself.

use crate::domain::catalog::Role;
use crate::domain::privacy::Entitled;
use crate::store::access::Visibility;

#[derive(Debug, Clone)]
pub struct Actor {
    /// The account, for a signed-in user.
    pub user: Option<i64>,
    /// Who the audit trail names: the user name, `cli:USER` or `sistem`.
    pub name: String,
    pub role: Role,
    pub institution_id: Option<i64>,
    /// The agreements this actor may see.
    pub visible: Visibility,
}

impl Actor {
    /// The operator at the command line: the machine's user, with every right.
    pub fn operator() -> Actor {
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        Actor {
            user: None,
            name: format!("cli:{user}"),
            role: Role::Admin,
            institution_id: None,
            visible: Visibility::All,
        }
    }

    /// The program itself (the holiday sync at start, the reminder sender).
    pub fn system() -> Actor {
        Actor {
            user: None,
            name: crate::store::db::SYSTEM_ACTOR.into(),
            role: Role::Admin,
            institution_id: None,
            visible: Visibility::All,
        }
    }

    /// Whether this is the account `id`.
    pub fn is_user(&self, id: i64) -> bool {
        self.user == Some(id)
    }

    /// Whose NIK and phone numbers this actor may see; `None`: everyone's.
    pub fn entitled(&self) -> Option<Entitled> {
        match self.role {
            Role::Admin | Role::Legal => None,
            Role::Opd => Some(Entitled::SecondParty),
            Role::Viewer => Some(Entitled::Nobody),
        }
    }
}
