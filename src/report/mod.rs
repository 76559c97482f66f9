//! Text, JSON, JUnit, GitHub-command and SARIF renderings of verification results.

pub mod cosign;
pub mod hints;
pub mod sarif;
pub mod scan;
pub mod tree;
pub mod verify;
