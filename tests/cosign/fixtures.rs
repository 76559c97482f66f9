//! cosign-format artifacts made in the test: fixed-seed keys of every kind cosign signs with,
//! Flux-style artifacts, classic `sha256-<hex>.sig` images (simple-signing payload layers with
//! the signature annotation) and Sigstore v0.3 bundles (DSSE, in-toto statement) attached as
//! referrers, laid out as cosign v3 writes them.

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::Digest as _;

use super::testreg::TestRegistry;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A signing key and the hash cosign signs with.
pub enum Signer {
    P256(p256::ecdsa::SigningKey),
    /// P-384, prehashed with SHA-384 (`true`, cosign's choice) or SHA-256.
    P384(p384::ecdsa::SigningKey, bool),
    Rsa(Box<rsa::RsaPrivateKey>),
    Ed25519(ed25519_dalek::SigningKey),
}

impl Signer {
    pub fn p256(seed: u8) -> Signer {
        Signer::P256(p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap())
    }
    pub fn p384(seed: u8, sha384: bool) -> Signer {
        Signer::P384(
            p384::ecdsa::SigningKey::from_slice(&[seed; 48]).unwrap(),
            sha384,
        )
    }
    pub fn rsa(seed: u64) -> Signer {
        Self::rsa_bits(seed, 2048)
    }
    pub fn rsa_bits(seed: u64, bits: usize) -> Signer {
        use rand::SeedableRng as _;
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        Signer::Rsa(Box::new(rsa::RsaPrivateKey::new(&mut rng, bits).unwrap()))
    }
    pub fn ed25519(seed: u8) -> Signer {
        Signer::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
    }

    /// The public key as cosign writes `cosign.pub`.
    pub fn public_pem(&self) -> String {
        use p256::pkcs8::{EncodePublicKey as _, LineEnding};
        match self {
            Signer::P256(k) => k.verifying_key().to_public_key_pem(LineEnding::LF).unwrap(),
            Signer::P384(k, _) => k.verifying_key().to_public_key_pem(LineEnding::LF).unwrap(),
            Signer::Rsa(k) => {
                use rsa::pkcs8::EncodePublicKey as _;
                k.to_public_key()
                    .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
                    .unwrap()
            }
            Signer::Ed25519(k) => {
                let mut der = hex::decode("302a300506032b6570032100").unwrap();
                der.extend_from_slice(k.verifying_key().as_bytes());
                format!(
                    "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
                    b64(&der)
                )
            }
        }
    }

    /// A signature over `message` as cosign makes it with this key.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        use ecdsa::signature::hazmat::PrehashSigner as _;
        match self {
            Signer::P256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.sign_prehash(&sha2::Sha256::digest(message)).unwrap();
                sig.to_der().as_bytes().to_vec()
            }
            Signer::P384(k, sha384) => {
                let digest = if *sha384 {
                    sha2::Sha384::digest(message).to_vec()
                } else {
                    sha2::Sha256::digest(message).to_vec()
                };
                let sig: p384::ecdsa::Signature = k.sign_prehash(&digest).unwrap();
                sig.to_der().as_bytes().to_vec()
            }
            Signer::Rsa(k) => k
                .sign(
                    rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    &sha2::Sha256::digest(message),
                )
                .unwrap(),
            Signer::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                k.sign(message).to_bytes().to_vec()
            }
        }
    }
}

/// A v0.3 bundle with a message signature over `digest` (`sha256:<hex>`) by a P-256 key, as
/// `cosign sign-blob --new-bundle-format` makes them.
pub fn message_bundle_json(key: &p256::ecdsa::SigningKey, digest: &str) -> Vec<u8> {
    use ecdsa::signature::hazmat::PrehashSigner as _;
    let bytes = hex::decode(digest.strip_prefix("sha256:").unwrap()).unwrap();
    let sig: p256::ecdsa::Signature = key.sign_prehash(&bytes).unwrap();
    json!({
        "mediaType": BUNDLE,
        "verificationMaterial": {"publicKey": {"hint": "fixture"}},
        "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": b64(&bytes)}, "signature": b64(sig.to_der().as_bytes())}
    })
    .to_string()
    .into_bytes()
}

/// A Flux-style artifact tagged `tag`; returns its descriptor.
pub fn artifact(reg: &TestRegistry, repo: &str, tag: &str, content: &[u8]) -> Value {
    let config = reg.put_blob(b"{}");
    let layer = reg.put_blob(content);
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.cncf.flux.config.v1+json", "digest": config, "size": 2},
        "layers": [{"mediaType": "application/vnd.cncf.flux.content.v1.tar+gzip", "digest": layer, "size": content.len()}]
    })
    .to_string();
    reg.put_manifest(repo, OCI_MANIFEST, manifest.as_bytes(), Some(tag))
}

/// cosign's simple-signing payload naming `digest`.
pub fn simple_signing(repo: &str, digest: &str) -> Vec<u8> {
    json!({"critical": {"identity": {"docker-reference": repo}, "image": {"docker-manifest-digest": digest}, "type": "cosign container image signature"}, "optional": null})
        .to_string()
        .into_bytes()
}

/// One layer of a classic signature image.
pub struct Layer {
    pub payload: Vec<u8>,
    pub annotations: Value,
}

impl Layer {
    /// `payload` signed by `signer`.
    pub fn signed(signer: &Signer, payload: Vec<u8>) -> Layer {
        let sig = signer.sign(&payload);
        Layer {
            annotations: json!({"dev.cosignproject.cosign/signature": b64(&sig)}),
            payload,
        }
    }
}

/// The classic signature image of `subject_digest` at `sha256-<hex>.sig`.
pub fn classic(reg: &TestRegistry, repo: &str, subject_digest: &str, layers: Vec<Layer>) {
    let config = reg.put_blob(b"{\"architecture\":\"\",\"os\":\"\"}");
    let layers: Vec<Value> = layers
        .into_iter()
        .map(|l| {
            let digest = reg.put_blob(&l.payload);
            json!({"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "size": l.payload.len(), "digest": digest, "annotations": l.annotations})
        })
        .collect();
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 27, "digest": config},
        "layers": layers
    })
    .to_string();
    let tag = format!("{}.sig", subject_digest.replace(':', "-"));
    reg.put_manifest(repo, OCI_MANIFEST, manifest.as_bytes(), Some(&tag));
}

/// An in-toto statement whose subject is `digest`.
pub fn statement(digest: &str) -> Vec<u8> {
    let hex = digest.strip_prefix("sha256:").unwrap();
    json!({"_type": "https://in-toto.io/Statement/v1", "subject": [{"digest": {"sha256": hex}, "annotations": {}}], "predicateType": "https://sigstore.dev/cosign/sign/v1", "predicate": {}})
        .to_string()
        .into_bytes()
}

/// A v0.3 bundle: `payload` in a DSSE envelope signed by `signer` over the PAE.
pub fn bundle_json(signer: &Signer, payload: &[u8]) -> Vec<u8> {
    let payload_type = "application/vnd.in-toto+json";
    let mut pae = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    pae.extend_from_slice(payload);
    json!({
        "mediaType": BUNDLE,
        "verificationMaterial": {"publicKey": {"hint": "fixture"}},
        "dsseEnvelope": {"payload": b64(payload), "payloadType": payload_type, "signatures": [{"sig": b64(&signer.sign(&pae))}]}
    })
    .to_string()
    .into_bytes()
}

/// Attaches `bundle` to `subject` as a referrer, as cosign v3 pushes it.
pub fn attach_bundle(reg: &TestRegistry, repo: &str, subject: &Value, bundle: &[u8]) {
    let empty = reg.put_blob(b"{}");
    let layer = reg.put_blob(bundle);
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": BUNDLE,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2, "digest": empty},
        "layers": [{"mediaType": BUNDLE, "size": bundle.len(), "digest": layer}],
        "annotations": {"dev.sigstore.bundle.content": "dsse-envelope"},
        "subject": subject
    })
    .to_string();
    let mut d = reg.put_manifest(repo, OCI_MANIFEST, manifest.as_bytes(), None);
    d["artifactType"] = BUNDLE.into();
    reg.add_referrer(repo, subject["digest"].as_str().unwrap(), d);
}

/// A Secret manifest holding `entries` (data key → value).
pub fn secret_yaml(entries: &[(&str, &[u8])]) -> String {
    let mut out = String::from("apiVersion: v1\nkind: Secret\nmetadata:\n  name: cosign-keys\n  namespace: flux-system\ntype: Opaque\ndata:\n");
    for (k, v) in entries {
        out.push_str(&format!("  {k}: \"{}\"\n", b64(v)));
    }
    if entries.is_empty() {
        out.push_str("  {}\n");
    }
    out
}
