//! Test-only Notary Project signer (test PKI, JWS/COSE envelopes and OCI layouts) and the
//! helpers the integration tests share (running the binary, the corpus, Secret documents).
//!
//! Never part of the shipped binary: include it from an integration test with `mod support;`
//! (files under `tests/support/` are not test crates themselves). Keys come from
//! `fixtures/keys/` (committed, test-only), so nothing slow is generated at run time.
//!
//! # PKI ([`pki`])
//! - [`pki::KeyKind`] (`Rsa2048` … `P521`) and [`pki::PrivateKey::load`]`(kind, "root"|"inter"|"leaf")`,
//!   or [`pki::PrivateKey::load_named`]`("rsa1024-leaf")` for the keys notation refuses
//!   (`rsa1024-leaf`, `p224-leaf`, `ed25519-leaf`; the last two can only be certified, not sign).
//! - [`pki::CertSpec`]: subject, issuer override, serial, validity, basicConstraints
//!   ([`pki::BasicConstraintsSpec`]: cA, pathLen, criticality), key usage bits ([`pki::ku`]) and
//!   criticality, EKU OIDs ([`pki::eku`]) and criticality, signature hash, v1. Constructors
//!   [`pki::CertSpec::leaf`], [`pki::CertSpec::ca`], [`pki::CertSpec::tsa_leaf`].
//! - [`pki::TestCert::issue`]`(spec, key, Some(&issuer) | None)` builds and signs one
//!   certificate; `.der`, `.pem()`, `.thumbprint()`.
//! - [`pki::chain`]`(kind, 1..=3)` a valid code-signing chain, leaf first (1 = self-signed leaf,
//!   2 = leaf + root, 3 = leaf + intermediate + root); [`pki::chain_with`] edits each spec first.
//!
//! # Envelopes ([`envelope`])
//! - [`envelope::EnvelopeSpec::new`]`(Format::Jws | Format::Cose, &descriptor)` then set
//!   `scheme` (`X509` / `SigningAuthority`), `signing_time`, `expiry` (JWS keeps the UTC offset),
//!   `extended` attributes (critical or not), `timestamp_token`, `signing_agent`,
//!   `alg_override`, `content_type`, `payload`; `.with_plugin(name)` adds the critical
//!   `io.cncf.notary.verificationPlugin` attribute.
//! - [`envelope::sign`]`(&chain, &spec) -> Vec<u8>`; for tampering: [`envelope::sign_jws_parts`]
//!   (edit `protected` / `payload` / `signature` / `header`, then `.to_bytes()`),
//!   [`envelope::sign_jws_with_header`] and [`envelope::sign_cose_with_headers`] for arbitrary
//!   headers.
//!
//! # OCI layouts ([`layout`])
//! - [`layout::Subject::new`]`(content)` (image manifest, empty config, one layer) and its
//!   `.descriptor` to sign;
//! - [`layout::write_layout`]`(dir, &subject, "v1", &[SignatureEntry {envelope, media_type, form, thumbprints}])`
//!   writes `oci-layout`, `index.json` (subject tagged, then signatures in order) and blobs.
//!   `form` is [`layout::ManifestForm::ArtifactType`] (artifactType + empty config) or
//!   [`layout::ManifestForm::ConfigMediaType`] (notary config media type).
//!
//! # External programs ([`external`])
//! - [`external::DOCKER_REGISTRY`], [`external::OPENSSL`]`.require()`: the path, or a failure
//!   with the install command (leaving such tests out is a cargo feature, docs/testing.md).
//!
//! # Shared helpers
//! - [`cli::fluxverify`]`(args)` a run of the binary isolated from the machine's credentials
//!   and log settings (`.env`, `.stdin`, `.timeout`, `.current_dir`), then `.output().await`
//!   (off the async runtime's threads, for the in-process registry) or `.output_blocking()`.
//! - [`corpus::vectors`], [`corpus::corpus`], [`corpus::layout`]`(name)`,
//!   [`corpus::strict_secret`]`(name)`: the committed vectors.
//! - [`secret::string_data`]`(name, namespace, &[(key, text)])` a Secret document.
//! - [`upstream::upstream`]`(rel)`: a file of the upstream Notary Project vectors, which are not
//!   in the repository (`FLUXVERIFY_UPSTREAM_VECTORS`, else `../shared/upstream-vectors`); a test
//!   that reads them is marked to run only with the `upstream-vectors` feature.
//!
//! A test that needs only some of these includes them alone, as
//! `#[path = "support/cli.rs"] mod cli;`, to keep the signer out of its build.
#![allow(dead_code)]

pub mod cli;
pub mod corpus;
pub mod envelope;
pub mod external;
pub mod layout;
pub mod pki;
pub mod secret;
pub mod upstream;
