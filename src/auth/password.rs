//! argon2id password hashing (the OWASP-recommended default parameters of
//! the `argon2` crate: 19 MiB, 2 passes).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::OsRng;

pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("kata sandi tidak dapat di-hash: {e}"))
}

/// Whether `password` matches `stored`; the comparison inside argon2 is
/// constant-time.
pub fn verify(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the time of one verification on nothing, so an unknown user name
/// answers as slowly as a wrong password.
pub fn burn(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("dummy-password-never-matches").unwrap_or_default());
    let _ = verify(dummy, password);
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_verify_only_their_password() {
        let h = super::hash("rahasia-sekali-123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify(&h, "rahasia-sekali-123"));
        assert!(!super::verify(&h, "rahasia-sekali-124"));
        assert!(!super::verify("bukan hash", "rahasia-sekali-123"));
        assert_ne!(h, super::hash("rahasia-sekali-123").unwrap(), "salted");
    }
}
