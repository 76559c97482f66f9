//! The validations of one signature in notation-go's order, and the signature loop.

pub mod outcome;
mod shim;
pub mod signatures;

pub use shim::{Action, ValidationType};
