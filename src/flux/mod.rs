//! Flux source-controller semantics: trust policy clean-up, result mapping, the
//! `SourceVerified` condition and `OCIRepository` manifests.
