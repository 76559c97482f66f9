//! Mutation corpus: every valid signed artifact among the fixtures and vectors, with bytes of
//! its signature envelope, its signature manifest and its subject manifest flipped one at a
//! time. No mutant may verify, unless the flipped byte provably does not matter to notation;
//! each such exception belongs to one of the categories in [`Exception`], which say why.
//!
//! Envelopes and subject manifests are served from memory, as a hostile registry could serve
//! them (consistent digests, wrong content); signature manifests go through the real OCI layout
//! reader, re-digested, so the manifest parser sees every mutant.

use fluxverify::envelope::{Envelope, EnvelopeContent};
use fluxverify::pki::revocation::Validator;
use fluxverify::settings::Mode;
use fluxverify::settings::{FluxVersion, Settings};
use fluxverify::source::layout::OciLayout;
use fluxverify::source::{Descriptor, FetchedSignature, SignatureSource};
use fluxverify::trust::material::{Store, TrustInput, TrustMaterial};
use fluxverify::trust::policy::Dialect;
use fluxverify::verify::outcome::{Verdict, VerifyError};
use fluxverify::verify::run::{verify, VerifyRequest};
use fluxverify::verify::signature::SignatureOptions;
use fluxverify::verify::stages::{revocation_config, PolicyStages};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// At most this many positions of one file are mutated; larger files get an even sample.
const MAX_POSITIONS: usize = 2000;

/// Why a mutant that verified is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Exception {
    /// The envelope decodes to exactly the same content (payload, signed attributes, chain,
    /// signature, unsigned attributes): Go's base64 decoders ignore non-zero trailing bits, and
    /// Go's `encoding/json` matches object keys case-insensitively, so such flips are invisible
    /// to notation as well.
    SameDecodedEnvelope,
    /// Only `io.cncf.notary.signingAgent` changed: an unsigned, informational attribute that
    /// notation never verifies.
    SigningAgentOnly,
    /// The signature manifest still names the same envelope layer (media type, digest, size)
    /// and the same subject; notation reads nothing else from it (its own `mediaType` field,
    /// annotations, config and unknown fields are not checked at verification time; the
    /// manifest's media type is the one its descriptor names).
    ManifestFieldNotationIgnores,
}

/// An artifact and one signature, served from memory.
struct Memory {
    artifact: Descriptor,
    signature: FetchedSignature,
}

impl SignatureSource for Memory {
    type Error = std::convert::Infallible;

    async fn resolve(&self, _reference: &str) -> Result<Descriptor, Self::Error> {
        Ok(self.artifact.clone())
    }

    async fn list_signatures(
        &self,
        _artifact: &Descriptor,
        _max: usize,
    ) -> Result<Vec<Vec<Descriptor>>, Self::Error> {
        Ok(vec![vec![self.signature.manifest.clone()]])
    }

    async fn fetch_signature(
        &self,
        _manifest: &Descriptor,
    ) -> Result<FetchedSignature, Self::Error> {
        Ok(self.signature.clone())
    }
}

/// One valid signed artifact and the trust material it verifies with.
struct Subject {
    name: &'static str,
    layout: PathBuf,
    scope: &'static str,
    trust: TrustInput,
}

#[path = "support/upstream.rs"]
mod upstream;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn secret(path: PathBuf) -> TrustInput {
    TrustInput {
        secret: Some(path),
        ..TrustInput::default()
    }
}

fn subjects() -> Vec<Subject> {
    let corpus = root().join("tests/vectors/corpus");
    let corpus_case = |artifact: &'static str| Subject {
        name: artifact,
        layout: corpus.join("layouts").join(artifact),
        scope: "127.0.0.1:5091/corpus/mutation",
        trust: secret(
            corpus
                .join("cases")
                .join(format!("{artifact}--strict"))
                .join("secret.yaml"),
        ),
    };
    let e2e = upstream::upstream("notation/test/e2e/testdata");
    vec![
        corpus_case("m-rsa2048-c2-jws"),
        corpus_case("m-ec384-c2-cose"),
        corpus_case("m-rsa4096-c3-jws"),
        Subject {
            name: "e2e-valid-signature",
            layout: e2e.join("registry/oci_layout/e2e-valid-signature"),
            scope: "localhost:5000/e2e",
            trust: TrustInput {
                trust_policy: Some(e2e.join("config/trustpolicies/trustpolicy.json")),
                certs: vec![e2e.join("config/localkeys/e2e.crt").display().to_string()],
                ..TrustInput::default()
            },
        },
        Subject {
            name: "e2e-valid-multiple-signatures",
            layout: e2e.join("registry/oci_layout/e2e-valid-multiple-signatures"),
            scope: "localhost:5000/e2e",
            trust: TrustInput {
                trust_policy: Some(e2e.join("config/trustpolicies/trustpolicy.json")),
                certs: vec![e2e.join("config/localkeys/e2e.crt").display().to_string()],
                ..TrustInput::default()
            },
        },
        Subject {
            name: "fixtures-example",
            layout: root().join("fixtures/example/layout"),
            scope: "registry.example/app",
            trust: secret(root().join("fixtures/example/secret.yaml")),
        },
    ]
}

fn stages(trust: &TrustInput) -> Result<PolicyStages<Store>, VerifyError> {
    let material = TrustMaterial::read(trust, Dialect::Flux).expect("trust material loads");
    let loaded = material.policy(Dialect::Flux).expect("policy loads");
    PolicyStages::new(
        loaded.document,
        material.store(Dialect::Flux),
        Validator::new(revocation_config(Settings {
            mode: Mode::Flux,
            flux_version: FluxVersion::V1_9,
        })),
        Settings {
            mode: Mode::Flux,
            flux_version: FluxVersion::V1_9,
        },
    )
}

fn options() -> SignatureOptions {
    SignatureOptions {
        mode: Mode::Flux,
        user_metadata: BTreeMap::new(),
        plugin_dir: "<none>".into(),
        timestamps_supported: true,
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// Whether `source` verifies for `subject` in flux mode.
fn verifies<S: SignatureSource>(subject: &Subject, source: &S, digest: &str) -> bool {
    let request = VerifyRequest {
        reference: format!("{}@{digest}", subject.scope),
        repository: subject.scope.to_string(),
        wanted: digest.to_string(),
        max_signatures: 3,
        warnings: Vec::new(),
    };
    let report = block_on(verify(
        source,
        stages(&subject.trust),
        options(),
        request,
        chrono::Utc::now(),
    ));
    matches!(report.verification.verdict, Verdict::Verified(_))
}

/// Positions to mutate: all of them, or an even deterministic sample.
fn positions(len: usize) -> Vec<usize> {
    if len <= MAX_POSITIONS {
        (0..len).collect()
    } else {
        (0..MAX_POSITIONS)
            .map(|i| i * len / MAX_POSITIONS)
            .collect()
    }
}

/// The flip applied at `position`: single low bit, ASCII case bit, high bit, or all bits, in
/// turn, so that both "almost the same" and "garbage" bytes are tried across the file.
fn mutate(bytes: &[u8], position: usize) -> Vec<u8> {
    const MASKS: [u8; 4] = [0x01, 0x20, 0x80, 0xFF];
    let mut out = bytes.to_vec();
    out[position] ^= MASKS[position % MASKS.len()];
    out
}

fn descriptor_of(media_type: &str, bytes: &[u8]) -> Descriptor {
    Descriptor {
        media_type: media_type.to_string(),
        digest: format!("sha256:{}", hex::encode(Sha256::digest(bytes))),
        size: bytes.len() as u64,
        ..Descriptor::default()
    }
}

fn content(media_type: &str, bytes: &[u8]) -> Option<EnvelopeContent> {
    Envelope::parse(media_type, bytes).ok()?.content().ok()
}

/// Classifies a verifying envelope mutant, or `None` when it changed something that matters.
fn envelope_exception(media_type: &str, original: &[u8], mutant: &[u8]) -> Option<Exception> {
    let before = content(media_type, original)?;
    let after = content(media_type, mutant)?;
    if before == after {
        return Some(Exception::SameDecodedEnvelope);
    }
    let mut agent_restored = after.clone();
    agent_restored.signer_info.unsigned_attributes.signing_agent =
        before.signer_info.unsigned_attributes.signing_agent.clone();
    (agent_restored == before).then_some(Exception::SigningAgentOnly)
}

/// Go `encoding/json` field lookup: exact key first, else the last case-insensitive match.
fn go_field<'a>(object: &'a Value, key: &str) -> Option<&'a Value> {
    let map = object.as_object()?;
    map.get(key).or_else(|| {
        map.iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// What notation reads from a signature manifest: the one layer and the subject.
fn manifest_essentials(bytes: &[u8]) -> Option<(Value, Value, Value, Value)> {
    // Go's encoding/json replaces invalid UTF-8 inside strings instead of failing.
    let manifest: Value = serde_json::from_str(&String::from_utf8_lossy(bytes)).ok()?;
    let layers = go_field(&manifest, "layers")?.as_array()?;
    let [layer] = layers.as_slice() else {
        return None;
    };
    Some((
        go_field(layer, "mediaType")?.clone(),
        go_field(layer, "digest")?.clone(),
        go_field(layer, "size")?.clone(),
        go_field(go_field(&manifest, "subject")?, "digest")?.clone(),
    ))
}

/// A copy of a layout whose `index.json` lists a mutant in place of the signature manifest
/// `original`. The original manifest blob and every index (such as the referrers tag index) are
/// left out, so that nothing but the mutant can be found as the signature.
struct MutantLayout {
    dir: tempfile::TempDir,
    index: Value,
    original: Descriptor,
}

impl MutantLayout {
    fn new(from: &Path, original: &Descriptor) -> std::io::Result<Self> {
        let dir = tempfile::tempdir()?;
        let blobs = dir.path().join("blobs/sha256");
        std::fs::create_dir_all(&blobs)?;
        let original_hex = original.digest.trim_start_matches("sha256:");
        for entry in std::fs::read_dir(from.join("blobs/sha256"))? {
            let entry = entry?;
            if entry.file_name().to_string_lossy() != original_hex {
                std::fs::copy(entry.path(), blobs.join(entry.file_name()))?;
            }
        }
        std::fs::copy(from.join("oci-layout"), dir.path().join("oci-layout"))?;
        let mut index: Value = serde_json::from_slice(&std::fs::read(from.join("index.json"))?)?;
        if let Some(manifests) = index["manifests"].as_array_mut() {
            manifests.retain(|m| {
                !m["mediaType"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("index")
            });
        }
        Ok(Self {
            dir,
            index,
            original: original.clone(),
        })
    }

    /// Writes `mutant` and points `index.json` at it; returns the blob path to remove after.
    fn install(&self, mutant: &[u8]) -> std::io::Result<PathBuf> {
        let digest = hex::encode(Sha256::digest(mutant));
        let blob = self.dir.path().join("blobs/sha256").join(&digest);
        std::fs::write(&blob, mutant)?;
        let mut index = self.index.clone();
        if let Some(manifests) = index["manifests"].as_array_mut() {
            for m in manifests {
                if m["digest"] == Value::String(self.original.digest.clone()) {
                    m["digest"] = Value::String(format!("sha256:{digest}"));
                    m["size"] = Value::from(mutant.len());
                }
            }
        }
        std::fs::write(
            self.dir.path().join("index.json"),
            serde_json::to_vec(&index)?,
        )?;
        Ok(blob)
    }
}

/// Counts of what happened to one file's mutants.
#[derive(Debug, Default)]
struct Tally {
    mutants: usize,
    exceptions: BTreeMap<String, usize>,
    violations: Vec<String>,
}

impl Tally {
    fn record(
        &mut self,
        what: &str,
        position: usize,
        verified: bool,
        exception: Option<Exception>,
    ) {
        self.mutants += 1;
        if !verified {
            return;
        }
        match exception {
            Some(e) => *self.exceptions.entry(format!("{what}: {e:?}")).or_default() += 1,
            None => self.violations.push(format!("{what} byte {position}")),
        }
    }
}

fn run(subject: &Subject) -> Tally {
    let layout = OciLayout::open(&subject.layout).expect("layout opens");
    let artifact = layout.resolve_now("v1").expect("subject resolves");
    let manifests = layout.signatures_of(&artifact).expect("signatures listed");
    let original_signature = manifests
        .iter()
        .map(|m| layout.fetch_now(m).expect("signature fetches"))
        .find(|s| {
            verifies(
                subject,
                &Memory {
                    artifact: artifact.clone(),
                    signature: s.clone(),
                },
                &artifact.digest,
            )
        })
        .unwrap_or_else(|| panic!("{}: no signature verifies unmutated", subject.name));
    let subject_bytes = layout
        .read_blob(&artifact, 4 << 20)
        .expect("subject manifest reads");
    let manifest_bytes = layout
        .read_blob(&original_signature.manifest, 4 << 20)
        .expect("signature manifest reads");
    let mut tally = Tally::default();

    let envelope = &original_signature.blob;
    let media_type = original_signature.envelope.media_type.clone();
    for position in positions(envelope.len()) {
        let mutant = mutate(envelope, position);
        let source = Memory {
            artifact: artifact.clone(),
            signature: FetchedSignature {
                blob: mutant.clone(),
                ..original_signature.clone()
            },
        };
        let verified = verifies(subject, &source, &artifact.digest);
        let exception = verified
            .then(|| envelope_exception(&media_type, envelope, &mutant))
            .flatten();
        tally.record("envelope", position, verified, exception);
    }

    for position in positions(subject_bytes.len()) {
        let mutant = mutate(&subject_bytes, position);
        let mutated_artifact = descriptor_of(&artifact.media_type, &mutant);
        let source = Memory {
            artifact: mutated_artifact.clone(),
            signature: original_signature.clone(),
        };
        let verified = verifies(subject, &source, &mutated_artifact.digest);
        tally.record("subject manifest", position, verified, None);
    }

    let essentials = manifest_essentials(&manifest_bytes).expect("manifest essentials");
    let scratch =
        MutantLayout::new(&subject.layout, &original_signature.manifest).expect("scratch layout");
    for position in positions(manifest_bytes.len()) {
        let mutant = mutate(&manifest_bytes, position);
        let blob = scratch.install(&mutant).expect("mutant installed");
        let verified = match OciLayout::open(scratch.dir.path()) {
            Ok(mutant_layout) => verifies(subject, &mutant_layout, &artifact.digest),
            Err(_) => false,
        };
        let exception = (verified && manifest_essentials(&mutant).as_ref() == Some(&essentials))
            .then_some(Exception::ManifestFieldNotationIgnores);
        tally.record("signature manifest", position, verified, exception);
        if blob.file_name()
            != Some(std::ffi::OsStr::new(
                original_signature
                    .manifest
                    .digest
                    .trim_start_matches("sha256:"),
            ))
        {
            std::fs::remove_file(blob).ok();
        }
    }
    tally
}

fn check(name: &str) {
    let subject = subjects()
        .into_iter()
        .find(|s| s.name == name)
        .expect("known subject");
    let tally = run(&subject);
    println!(
        "{name}: {} mutants, harmless ones that verified: {:?}",
        tally.mutants, tally.exceptions
    );
    assert!(
        tally.mutants > 500,
        "{name}: too few mutants ({})",
        tally.mutants
    );
    assert!(
        tally.violations.is_empty(),
        "{name}: mutants verified although a byte that matters changed: {:?}",
        tally.violations
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn corpus_rsa2048_jws_mutants_do_not_verify() {
    check("m-rsa2048-c2-jws");
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn corpus_ec384_cose_mutants_do_not_verify() {
    check("m-ec384-c2-cose");
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn corpus_rsa4096_chain3_jws_mutants_do_not_verify() {
    check("m-rsa4096-c3-jws");
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn upstream_e2e_mutants_do_not_verify() {
    check("e2e-valid-signature");
}

/// An envelope the mutation oracle has not seen: its certificates go through the same Go-order
/// parser, and no byte of them may be flipped without the signature failing.
#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn upstream_e2e_multiple_signatures_mutants_do_not_verify() {
    check("e2e-valid-multiple-signatures");
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn shipped_example_mutants_do_not_verify() {
    check("fixtures-example");
}
