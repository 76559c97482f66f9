//! Flux source-controller semantics: result mapping, the `SourceVerified` condition and
//! `OCIRepository` manifests. (Flux's trust policy clean-up is read with the trust material, in
//! `trust::policy::clean`.)

pub mod condition;
pub mod cosign;
pub mod ocirepository;
pub mod outcome;
