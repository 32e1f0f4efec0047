//! Bearer tokens: JWT, HS256, eight hours, carrying the user's id, role,
//! institution and token version (a password change or a disable raises the
//! version, and older tokens stop working).

use std::path::Path;

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::catalog::Role;

pub const LIFETIME_SECONDS: i64 = 8 * 3600;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    pub name: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inst: Option<i64>,
    pub ver: i32,
    pub iat: i64,
    pub exp: i64,
}

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Keys {
    pub fn from_secret(secret: &[u8]) -> Keys {
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    /// A secret that lives only as long as the process (tests, one-off runs).
    pub fn ephemeral() -> Keys {
        Keys::from_secret(&random_secret())
    }

    /// The secret from `SEPAKAT_JWT_SECRET`, else from `file`, which is
    /// created with 32 random bytes and mode 0600 when missing.
    pub fn load(env_secret: Option<&str>, file: &Path) -> Result<Keys, String> {
        if let Some(s) = env_secret {
            if s.len() < 32 {
                return Err("SEPAKAT_JWT_SECRET harus minimal 32 karakter".into());
            }
            return Ok(Keys::from_secret(s.as_bytes()));
        }
        match std::fs::read(file) {
            Ok(bytes) if bytes.len() >= 32 => Ok(Keys::from_secret(&bytes)),
            Ok(_) => Err(format!("{}: rahasia token terlalu pendek", file.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let secret = random_secret();
                match write_private(file, &secret) {
                    Ok(()) => Ok(Keys::from_secret(&secret)),
                    // Another instance started at the same moment wrote it
                    // first: its secret is the one both must sign with.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        Keys::load(None, file)
                    }
                    Err(e) => Err(format!("{}: {e}", file.display())),
                }
            }
            Err(e) => Err(format!("{}: {e}", file.display())),
        }
    }

    pub fn issue(
        &self,
        user_id: i64,
        name: &str,
        role: Role,
        inst: Option<i64>,
        ver: i32,
    ) -> String {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            name: name.to_string(),
            role,
            inst,
            ver,
            iat: now,
            exp: now + LIFETIME_SECONDS,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).unwrap_or_default()
    }

    /// The claims of a token signed with this secret and not expired.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.set_required_spec_claims(&["exp", "sub"]);
        decode::<Claims>(token, &self.decoding, &v)
            .ok()
            .map(|d| d.claims)
    }
}

fn random_secret() -> Vec<u8> {
    use rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    // Stored as hex so the file is text an operator can copy.
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .into_bytes()
}

/// Writes `bytes` to a new file at `path`, readable by the owner only. The
/// file appears whole or not at all (written beside it, then linked into
/// place), so a process starting at the same moment never reads half a
/// secret; `AlreadyExists` when one is there already.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(name);
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_with_their_secret_and_in_time() {
        let keys = Keys::ephemeral();
        let t = keys.issue(7, "admin", Role::Admin, None, 3);
        let c = keys.verify(&t).unwrap();
        assert_eq!((c.sub.as_str(), c.role, c.ver), ("7", Role::Admin, 3));
        assert_eq!(c.exp - c.iat, LIFETIME_SECONDS);
        assert!(Keys::ephemeral().verify(&t).is_none(), "foreign secret");
        let mut tampered = t.clone();
        tampered.replace_range(t.len() - 3.., "abc");
        assert!(keys.verify(&tampered).is_none());
        let expired = Claims {
            exp: Utc::now().timestamp() - 1,
            ..c
        };
        let old = encode(&Header::new(Algorithm::HS256), &expired, &keys.encoding).unwrap();
        assert!(keys.verify(&old).is_none());
        // alg=none and other algorithms are refused.
        let none = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            t.split('.').nth(1).unwrap()
        );
        assert!(keys.verify(&none).is_none());
    }

    #[test]
    fn the_secret_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("jwt.secret");
        let a = Keys::load(None, &file).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let b = Keys::load(None, &file).unwrap();
        let t = a.issue(1, "x", Role::Viewer, Some(2), 0);
        assert!(b.verify(&t).is_some());
        assert!(Keys::load(Some("short"), &file).is_err());
    }
}
