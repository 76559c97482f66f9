//! Text and JSON renderings of verification results.

pub mod tree;
pub mod verify;
