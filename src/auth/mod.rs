//! Accounts: argon2id password hashes and HS256 tokens (issue 5).

pub mod password;
pub mod secret;
pub mod token;

/// The calendar feed's tokens were the first random secrets; tests name them so.
pub use secret as feed;
pub use token::{Claims, Keys};
