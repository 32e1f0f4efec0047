//! The use cases: the one place that writes. Each takes an [`Actor`] and
//! typed input, checks the actor's right in [`policy`], runs its write and
//! its audit row in ONE transaction (the row commits with the write or
//! neither does), and returns typed output. The API, the command line and
//! the pages only translate to and from these functions.

pub mod actor;
pub mod agreements;
pub mod audit;
pub mod drafts;
pub mod error;
pub mod holidays;
pub mod invitations;
pub mod obligations;
pub mod operators;
pub mod parties;
pub mod policy;
pub mod reminders;
pub mod sessions;
pub mod submissions;
pub mod users;

pub use actor::Actor;
pub use error::AppError;
