//! Flux source-controller semantics: result mapping, the `SourceVerified` condition,
//! `OCIRepository` manifests, OCI `HelmChart`s and `HelmRelease` chart templates, and the scan of
//! a whole GitOps tree. (Flux's trust policy clean-up is read with the trust material, in
//! `trust::policy::clean`.)

pub mod condition;
pub mod cosign;
pub mod helmchart;
pub mod ocirepository;
pub mod outcome;
pub mod scan;
pub mod spec_fields;
