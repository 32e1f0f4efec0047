//! Pure domain: validated values, the element catalog, the agreement
//! aggregate and the rules computed from it. No I/O here.

pub mod agreement;
pub mod catalog;
pub mod letter_number;
pub mod nik;
pub mod nip;
pub mod status;
pub mod text;

pub use letter_number::LetterNumber;
pub use nik::Nik;
pub use nip::Nip;
