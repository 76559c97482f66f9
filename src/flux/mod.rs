//! Flux source-controller semantics: trust policy clean-up, result mapping, the
//! `SourceVerified` condition and `OCIRepository` manifests.

pub mod clean;
pub mod condition;
pub mod cosign;
pub mod ocirepository;
pub mod outcome;
