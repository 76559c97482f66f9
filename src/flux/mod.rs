//! Flux source-controller semantics: trust policy clean-up, result mapping, the
//! `SourceVerified` condition, `OCIRepository` manifests, OCI `HelmChart`s and `HelmRelease`
//! chart templates, and the scan of a whole GitOps tree.

pub mod clean;
pub mod condition;
pub mod helmchart;
pub mod ocirepository;
pub mod outcome;
pub mod scan;
