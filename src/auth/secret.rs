//! Random secrets (calendar-feed tokens, browser sessions, CSRF tokens):
//! 256 random bits from the operating system,
//! written URL-safe (base64url, 43 characters), stored only as their SHA-256.
//!
//! A fast hash is right here: the token is a random secret, not a password
//! a person chose, so there is nothing to guess that a slow hash would
//! protect; it only keeps a copy of the database from yielding live feed
//! addresses.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Random bytes per token (256 bits; at least 128 are required).
const TOKEN_BYTES: usize = 32;
/// Length of the token text: base64url of 32 bytes without padding.
pub const TOKEN_LEN: usize = 43;

/// A new token and the hash to store for it.
pub fn generate() -> (String, String) {
    use rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; TOKEN_BYTES];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&token);
    (token, hash)
}

/// Whether `s` has the shape of a token (length and alphabet): anything
/// else is not looked up at all.
pub fn well_formed(s: &str) -> bool {
    s.len() == TOKEN_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The stored form: SHA-256 of the token text, in lowercase hex.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_url_safe_unique_and_hashed() {
        let (a, ha) = generate();
        let (b, hb) = generate();
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert!(well_formed(&a), "{a}");
        assert_eq!(ha, hash(&a));
        assert_eq!(ha.len(), 64);
        assert!(!ha.contains(&a));
        assert!(!well_formed("pendek"));
        assert!(!well_formed(&format!("{}!", &a[1..])));
        assert!(!well_formed(&format!("{a}a")));
        // The SHA-256 of "abc" (FIPS 180-2 test vector).
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
