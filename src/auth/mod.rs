//! Accounts: argon2id password hashes and HS256 tokens (issue 5).

pub mod feed;
pub mod password;
pub mod token;

pub use token::{Claims, Keys};
