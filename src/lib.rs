//! # fluxverify
//!
//! Verifies Notary Project (notation) signatures on OCI artifacts exactly as Flux's
//! source-controller does when an `OCIRepository` sets `.spec.verify.provider: notation`,
//! or, on request, as the notation CLI does.
//!
//! The pipeline, one module per stage, data flowing one way:
//!
//! 1. [`trust`]: trust material. Secret manifests or files become a trust policy document
//!    (parsed with Go `encoding/json` semantics, validated in notation-go's order) and a trust
//!    store (Flux's any-name store or notation's named stores).
//! 2. [`source`]: discovery. A reference is normalised and resolved to the artifact's descriptor;
//!    its signature manifests are listed and their envelopes fetched, from a registry or an OCI
//!    image layout on disk.
//! 3. [`envelope`]: JWS and COSE signature envelopes, parsed once into typed values and their
//!    signatures checked ([`pki`] supplies certificates, chain rules, timestamps and revocation).
//! 4. [`verify`]: the validations in notation-go's order (integrity, authenticity, expiry,
//!    authentic timestamp, revocation) under the statement's verification level, and the
//!    signature loop of `notation.Verify`.
//! 5. [`flux`]: what Flux makes of the outcome (verified / ignored / failed,
//!    the `SourceVerified` condition).
//! 6. [`report`]: text and JSON renderings of all of the above.
//!
//! `fluxverify scan` puts a stage in front: [`gitops`] reads a tree of manifests (files,
//! kustomizations, Secrets and secretGenerators) into objects with their files, lines and
//! namespaces; [`flux::scan`] decides what Flux verifies for each and runs those verifications
//! through the same stages, concurrently.
//!
//! Below them all, [`settings`] holds what every stage reads: the mode (Flux or notation) and the
//! source-controller version, with the behaviour switches that follow from them.
//! Flux's other provider, cosign with static keys, is its own stage: [`cosign`] (source in,
//! [`cosign::CosignOutcome`] out), mapped by [`flux::cosign`] and rendered by [`report::cosign`].
//!
//! The first stage on its own, as `fluxverify policy explain` uses it:
//!
//! ```
//! use fluxverify::trust::policy::{Dialect, TrustPolicyDocument};
//!
//! let policy = br#"{"version": "1.0", "trustPolicies": [{
//!     "name": "app", "registryScopes": ["registry.example/app"],
//!     "signatureVerification": {"level": "audit"},
//!     "trustStores": ["ca:app"], "trustedIdentities": ["*"]}]}"#;
//! let document = TrustPolicyDocument::parse(policy, Dialect::Flux).unwrap();
//! document.validate().unwrap();
//! let (statement, _) = document
//!     .applicable_statement("registry.example/app@sha256:0123")
//!     .unwrap();
//! assert_eq!(statement.name, "app");
//! assert!(document.applicable_statement("registry.example/other@sha256:0123").is_err());
//! ```
#![deny(missing_docs)]
#![warn(unreachable_pub)]
// A verifier must fail closed, never abort: library code may not panic on any input.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
// Inputs go through the one input limit (`limits`, `clippy.toml`).
#![cfg_attr(not(test), deny(clippy::disallowed_methods))]

pub mod cosign;
pub mod envelope;
pub mod fleet;
pub mod flux;
pub mod gitops;
mod golang;
pub mod http;
pub mod inflight;
pub mod interrupt;
pub mod limits;
pub mod logging;
pub mod pki;
pub mod report;
pub mod settings;
pub mod source;
// The unit tests find the upstream vectors with the integration tests' helper.
#[cfg(test)]
#[path = "../tests/support/upstream.rs"]
mod testdata;
pub mod trust;
pub mod verify;
