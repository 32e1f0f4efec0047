//! `sepakat user add|passwd|disable|enable|list`

use anyhow::Context;
use clap::{Subcommand, ValueEnum};

use crate::app::{self, Actor};
use crate::config::Config;
use crate::domain::account::{NewPassword, Username};
use crate::domain::catalog::Role;
use crate::store::{self, DbConnection};

#[derive(Subcommand)]
pub enum Action {
    /// Add an account (the password is asked for, or read from standard input)
    Add {
        username: String,
        #[arg(long)]
        role: RoleArg,
        /// The institution the account belongs to (required except for admin)
        #[arg(long)]
        institution: Option<i64>,
    },
    /// Set a new password; the user's current tokens stop working
    Passwd { username: String },
    /// Disable an account; its tokens stop working at once
    Disable { username: String },
    /// Enable a disabled account again
    Enable { username: String },
    /// List accounts
    List,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    Legal,
    Opd,
    Viewer,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Admin => Role::Admin,
            RoleArg::Legal => Role::Legal,
            RoleArg::Opd => Role::Opd,
            RoleArg::Viewer => Role::Viewer,
        }
    }
}

/// The password for an account command: asked without echo on a terminal,
/// else the first line of standard input.
fn read_password() -> anyhow::Result<NewPassword> {
    let raw = if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        rpassword::prompt_password("Kata sandi baru: ")?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("kata sandi tidak dapat dibaca dari masukan standar")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    NewPassword::parse(&raw).map_err(anyhow::Error::msg)
}

fn hash(password: &NewPassword) -> anyhow::Result<String> {
    crate::auth::password::hash(password.expose()).map_err(anyhow::Error::msg)
}

fn find(conn: &mut DbConnection, name: &str) -> anyhow::Result<store::users::UserRow> {
    store::users::by_name(conn, name)?.with_context(|| format!("pengguna '{name}' tidak ada"))
}

pub fn run(config: &Config, action: Action) -> anyhow::Result<()> {
    let pool = super::open(config)?;
    let mut conn = pool.get()?;
    let operator = Actor::operator();
    let disabling = matches!(action, Action::Disable { .. });
    match action {
        Action::Add {
            username,
            role,
            institution,
        } => {
            let name = Username::parse(&username).map_err(anyhow::Error::msg)?;
            let role: Role = role.into();
            let new = app::users::NewAccount {
                username: name.clone(),
                password_hash: hash(&read_password()?)?,
                role,
                institution_id: institution,
            };
            let id = app::users::create(&mut conn, &operator, &new)?.id;
            println!("Pengguna {name} ({}) dibuat dengan id {id}.", role.code());
        }
        Action::Passwd { username } => {
            let u = find(&mut conn, &username)?;
            let change = app::users::AccountChange {
                password_hash: Some(hash(&read_password()?)?),
                ..Default::default()
            };
            app::users::change(&mut conn, &operator, u.id, &change)?;
            println!(
                "Kata sandi {} diganti; token lamanya tidak berlaku lagi.",
                u.username
            );
        }
        Action::Disable { username } | Action::Enable { username } => {
            let u = find(&mut conn, &username)?;
            let change = app::users::AccountChange {
                disabled: Some(disabling),
                ..Default::default()
            };
            app::users::change(&mut conn, &operator, u.id, &change)?;
            let done = if disabling {
                "dinonaktifkan"
            } else {
                "diaktifkan"
            };
            println!("Pengguna {} {done}.", u.username);
        }
        Action::List => {
            for u in store::users::list(&mut conn, None)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.id,
                    u.username,
                    u.role,
                    u.institution_id
                        .map(|i| i.to_string())
                        .unwrap_or_else(|| "-".into()),
                    if u.disabled { "nonaktif" } else { "aktif" }
                );
            }
        }
    }
    Ok(())
}
