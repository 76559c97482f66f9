//! Text and JSON renderings of verification results.

pub mod cosign;
pub mod hints;
pub mod scan;
pub mod tree;
pub mod verify;
