//! Flux source-controller semantics: trust policy clean-up, result mapping, the
//! `SourceVerified` condition and `OCIRepository` manifests.

pub mod condition;
pub mod ocirepository;
pub mod outcome;
