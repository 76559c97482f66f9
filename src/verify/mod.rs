//! The validations of one signature in notation-go's order, and the signature loop.

mod envelope_stage;
pub mod inspect;
pub mod outcome;
pub mod run;
pub mod signature;
pub mod signatures;
pub mod stages;

pub use crate::trust::policy::{Action, ValidationType};

/// The validation types in the order notation-go runs them.
pub const VALIDATION_ORDER: [ValidationType; 5] = [
    ValidationType::Integrity,
    ValidationType::Authenticity,
    ValidationType::Expiry,
    ValidationType::AuthenticTimestamp,
    ValidationType::Revocation,
];
