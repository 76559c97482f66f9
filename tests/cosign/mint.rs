//! A self-made Sigstore for the keyless tests: a Fulcio-like CA (root and intermediate)
//! issuing short-lived P-256 certificates with the Fulcio extensions and an embedded SCT, a CT
//! log key, a Rekor-like log key (SETs, a two-leaf Merkle tree and its signed checkpoint), the
//! `trusted_root.json` naming them; artifacts signed in both formats (a v0.3 DSSE bundle, a
//! classic `.sig` layer with its Rekor bundle annotation) and pushed to the in-process registry
//! (bundles through its referrers API). Each knob breaks one thing for the broken cases. Its
//! timestamp authority is [`super::mint_tsa`]; its log writes Rekor v1 entries, or Rekor v2
//! ones (a C2SP signed-note checkpoint, no SET, no integrated time) when asked.

use super::mint_tsa::{Tsa, TsaKnob};
use super::testreg::TestRegistry;
use base64::Engine as _;
use der::asn1::{BitString, Ia5String, OctetString, UtcTime, Utf8StringRef};
use der::{Decode as _, Encode as _};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::EncodePublicKey as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use std::str::FromStr as _;
use std::time::Duration;
use x509_cert::certificate::{TbsCertificate, Version};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, SubjectAltName};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
pub const GITHUB: &str = "https://token.actions.githubusercontent.com";
pub const RELEASE: &str =
    "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_slice(&[seed; 32]).unwrap()
}

fn spki_der(k: &SigningKey) -> Vec<u8> {
    k.verifying_key()
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec()
}

pub fn sign(k: &SigningKey, data: &[u8]) -> Vec<u8> {
    let sig: Signature = k.sign(data);
    sig.to_der().as_bytes().to_vec()
}

fn time(unix: u64) -> Time {
    Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(unix)).unwrap())
}

pub fn ext(oid: &str, critical: bool, value: Vec<u8>) -> Extension {
    Extension {
        extn_id: oid.parse().unwrap(),
        critical,
        extn_value: OctetString::new(value).unwrap(),
    }
}

fn tbs(
    subject: &str,
    issuer: Name,
    k: &SigningKey,
    from: u64,
    to: u64,
    serial: u8,
    exts: Vec<Extension>,
) -> TbsCertificate {
    TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&[serial]).unwrap(),
        signature: AlgorithmIdentifierOwned {
            oid: ECDSA_SHA256.parse().unwrap(),
            parameters: None,
        },
        issuer,
        validity: Validity {
            not_before: time(from),
            not_after: time(to),
        },
        subject: if subject.is_empty() {
            Name::default()
        } else {
            Name::from_str(subject).unwrap()
        },
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&spki_der(k)).unwrap(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(exts),
    }
}

fn finish(tbs: TbsCertificate, issuer_key: &SigningKey) -> Vec<u8> {
    let signature = sign(issuer_key, &tbs.to_der().unwrap());
    Certificate {
        signature_algorithm: tbs.signature.clone(),
        tbs_certificate: tbs,
        signature: BitString::from_bytes(&signature).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// A certificate for `subject_key`, named `subject`, issued by `issuer` with `issuer_key`.
pub fn certificate(
    subject: &str,
    issuer: &str,
    subject_key: &SigningKey,
    issuer_key: &SigningKey,
    (from, to): (u64, u64),
    serial: u8,
    exts: Vec<Extension>,
) -> Vec<u8> {
    finish(
        tbs(
            subject,
            Name::from_str(issuer).unwrap(),
            subject_key,
            from,
            to,
            serial,
            exts,
        ),
        issuer_key,
    )
}

pub fn ca_exts(path_len: u8) -> Vec<Extension> {
    vec![ext(
        "2.5.29.19",
        true,
        BasicConstraints {
            ca: true,
            path_len_constraint: Some(path_len),
        }
        .to_der()
        .unwrap(),
    )]
}

fn pem(der: &[u8]) -> String {
    let body = b64(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out + "-----END CERTIFICATE-----\n"
}

fn node(l: &[u8], r: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(l);
    h.update(r);
    h.finalize().to_vec()
}

fn leaf(data: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().to_vec()
}

/// One Sigstore: CA keys, log keys, validity windows (unix seconds).
pub struct Sigstore {
    pub intermediate_key: SigningKey,
    pub ct_key: SigningKey,
    pub rekor_key: SigningKey,
    pub root_der: Vec<u8>,
    pub intermediate_der: Vec<u8>,
    pub start: u64,
    pub tsa: Tsa,
}

/// What to break in one signature.
#[derive(Clone, Default)]
pub struct Knobs {
    pub subject: Option<String>,
    pub issuer: Option<String>,
    /// Certificate lifetime (seconds from `signed_at - 60`); default 600.
    pub lifetime: Option<u64>,
    /// Log integrated time offset from the certificate's start; default 60.
    pub logged_after: Option<u64>,
    /// Sign the certificate with another Sigstore's CA.
    pub other_ca: bool,
    /// Log with a key the root does not name.
    pub other_log: bool,
    pub no_sct: bool,
    /// Change the payload after signing and logging.
    pub tamper: bool,
    /// Use the log entry of another signature.
    pub foreign_entry: bool,
    /// Make the statement / payload name this digest instead.
    pub other_digest: Option<String>,
    /// Leave the Rekor `bundle` annotation off the classic layer.
    pub no_log_annotation: bool,
    /// Timestamp the signature (the classic annotation, the bundle's
    /// `timestampVerificationData`), broken as the knob says.
    pub tsa: Option<TsaKnob>,
    /// Log the bundle's entry in a Rekor v2 log.
    pub rekor_v2: bool,
    /// Sign the v2 checkpoint with another key (same key hint).
    pub rekor_v2_bad_note: bool,
}

pub struct Signed {
    /// The bundle JSON (bundle format) or the classic layer's annotations and payload.
    pub bundle: Value,
    pub classic_payload: Vec<u8>,
    pub classic_annotations: Value,
}

impl Sigstore {
    pub fn new(seed: u8) -> Sigstore {
        let start = 1_790_000_000;
        let root_key = key(seed);
        let intermediate_key = key(seed + 1);
        let root_name = format!("O=mint{seed}.test,CN=mint{seed}");
        let root_der = finish(
            tbs(
                &root_name,
                Name::from_str(&root_name).unwrap(),
                &root_key,
                start,
                start + 10 * 365 * 86400,
                1,
                ca_exts(1),
            ),
            &root_key,
        );
        let intermediate_der = finish(
            tbs(
                &format!("O=mint{seed}.test,CN=mint{seed}-intermediate"),
                Name::from_str(&root_name).unwrap(),
                &intermediate_key,
                start,
                start + 10 * 365 * 86400,
                2,
                ca_exts(0),
            ),
            &root_key,
        );
        Sigstore {
            intermediate_key,
            ct_key: key(seed + 2),
            rekor_key: key(seed + 3),
            root_der,
            intermediate_der,
            start,
            tsa: Tsa::new(seed + 40, start),
        }
    }

    fn log_id(k: &SigningKey) -> Vec<u8> {
        Sha256::digest(spki_der(k)).to_vec()
    }

    /// The `trusted_root.json` naming this Sigstore.
    pub fn trusted_root(&self) -> Value {
        let window = json!({"start": "2026-09-01T00:00:00Z"});
        let log = |k: &SigningKey, url: &str| {
            json!({
                "baseUrl": url, "hashAlgorithm": "SHA2_256",
                "publicKey": {"rawBytes": b64(&spki_der(k)), "keyDetails": "PKIX_ECDSA_P256_SHA_256", "validFor": window},
                "logId": {"keyId": b64(&Self::log_id(k))},
            })
        };
        json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log(&self.rekor_key, "https://rekor.mint.test")],
            "certificateAuthorities": [{
                "subject": {"organization": "mint.test", "commonName": "mint"},
                "uri": "https://fulcio.mint.test",
                "certChain": {"certificates": [{"rawBytes": b64(&self.intermediate_der)}, {"rawBytes": b64(&self.root_der)}]},
                "validFor": window,
            }],
            "ctlogs": [log(&self.ct_key, "https://ct.mint.test")],
            "timestampAuthorities": [self.tsa.authority("2026-09-01T00:00:00Z")],
        })
    }

    /// A Fulcio-like leaf for `signer_key`: SAN URI, issuer extension .1.8, code signing EKU,
    /// and an embedded SCT over the precertificate (its TBS without the SCT list).
    fn leaf_cert(&self, signer_key: &SigningKey, k: &Knobs, from: u64) -> Vec<u8> {
        let other;
        let (ca_key, ca_der) = if k.other_ca {
            other = Sigstore::new(90);
            (
                other.intermediate_key.clone(),
                other.intermediate_der.clone(),
            )
        } else {
            (self.intermediate_key.clone(), self.intermediate_der.clone())
        };
        let ca = Certificate::from_der(&ca_der).unwrap();
        let issuer = ca.tbs_certificate.subject.clone();
        let subject = k.subject.clone().unwrap_or_else(|| RELEASE.into());
        let san = SubjectAltName(vec![GeneralName::UniformResourceIdentifier(
            Ia5String::new(&subject).unwrap(),
        )]);
        let oidc = k.issuer.clone().unwrap_or_else(|| GITHUB.into());
        let mut exts = vec![
            ext(
                "2.5.29.37",
                false,
                ExtendedKeyUsage(vec!["1.3.6.1.5.5.7.3.3".parse().unwrap()])
                    .to_der()
                    .unwrap(),
            ),
            ext("2.5.29.17", true, san.to_der().unwrap()),
            ext(
                "1.3.6.1.4.1.57264.1.8",
                false,
                Utf8StringRef::new(&oidc).unwrap().to_der().unwrap(),
            ),
        ];
        let lifetime = k.lifetime.unwrap_or(600);
        let mut t = tbs(
            "",
            issuer.clone(),
            signer_key,
            from,
            from + lifetime,
            9,
            exts.clone(),
        );
        if !k.no_sct {
            let precert = t.to_der().unwrap();
            let ts_ms = (from + 1) * 1000;
            let ca_spki = ca.tbs_certificate.subject_public_key_info.to_der().unwrap();
            let mut input = vec![0u8, 0u8];
            input.extend_from_slice(&ts_ms.to_be_bytes());
            input.extend_from_slice(&1u16.to_be_bytes());
            input.extend_from_slice(&Sha256::digest(ca_spki));
            input.extend_from_slice(&(precert.len() as u32).to_be_bytes()[1..]);
            input.extend_from_slice(&precert);
            input.extend_from_slice(&[0, 0]);
            let sig = sign(&self.ct_key, &input);
            let mut sct = vec![0u8];
            sct.extend_from_slice(&Self::log_id(&self.ct_key));
            sct.extend_from_slice(&ts_ms.to_be_bytes());
            sct.extend_from_slice(&[0, 0, 4, 3]);
            sct.extend_from_slice(&(sig.len() as u16).to_be_bytes());
            sct.extend_from_slice(&sig);
            let mut list = ((sct.len() + 2) as u16).to_be_bytes().to_vec();
            list.extend_from_slice(&(sct.len() as u16).to_be_bytes());
            list.extend_from_slice(&sct);
            exts.push(ext(
                "1.3.6.1.4.1.11129.2.4.2",
                false,
                OctetString::new(list).unwrap().to_der().unwrap(),
            ));
            t = tbs("", issuer, signer_key, from, from + lifetime, 9, exts);
        }
        finish(t, &ca_key)
    }

    /// A Rekor entry for `body`: SET and a two-leaf inclusion proof with its checkpoint.
    fn entry(&self, body: &[u8], integrated: u64, k: &Knobs) -> Value {
        let log_key = if k.other_log {
            key(77)
        } else {
            self.rekor_key.clone()
        };
        let log_id = Self::log_id(&log_key);
        let body_b64 = b64(body);
        let canonical = format!(
            r#"{{"body":"{body_b64}","integratedTime":{integrated},"logID":"{}","logIndex":1}}"#,
            hex::encode(&log_id)
        );
        let set = sign(&log_key, canonical.as_bytes());
        let other_leaf = leaf(b"another entry");
        let root = node(&other_leaf, &leaf(body));
        let note = format!("rekor.mint.test - 42\n2\n{}\n", b64(&root));
        let mut sig = log_id[..4].to_vec();
        sig.extend_from_slice(&sign(&log_key, note.as_bytes()));
        json!({
            "logIndex": "1",
            "logId": {"keyId": b64(&log_id)},
            "kindVersion": {"kind": "dsse", "version": "0.0.1"},
            "integratedTime": integrated.to_string(),
            "inclusionPromise": {"signedEntryTimestamp": b64(&set)},
            "inclusionProof": {
                "logIndex": "1", "rootHash": b64(&root), "treeSize": "2",
                "hashes": [b64(&other_leaf)],
                "checkpoint": {"envelope": format!("{note}\n\u{2014} rekor.mint.test {}\n", b64(&sig))},
            },
            "canonicalizedBody": body_b64,
        })
    }

    /// A Rekor v2 entry for `body`: a two-leaf inclusion proof and its checkpoint, a signed note
    /// whose origin is the log's host; no SET, no integrated time.
    fn entry_v2(&self, body: &[u8], kind: &str, k: &Knobs) -> Value {
        let log_id = Self::log_id(&self.rekor_key);
        let other_leaf = leaf(b"another entry");
        let root = node(&other_leaf, &leaf(body));
        let note = format!("rekor.mint.test\n2\n{}\n", b64(&root));
        let signer = if k.rekor_v2_bad_note {
            key(78)
        } else {
            self.rekor_key.clone()
        };
        // rekor-tiles' key hash of an ECDSA key: the first bytes of its DER's SHA-256.
        let mut sig = log_id[..4].to_vec();
        sig.extend_from_slice(&sign(&signer, note.as_bytes()));
        json!({
            "logIndex": "1",
            "logId": {"keyId": b64(&log_id)},
            "kindVersion": {"kind": kind, "version": "0.0.2"},
            "inclusionProof": {
                "logIndex": "1", "rootHash": b64(&root), "treeSize": "2",
                "hashes": [b64(&other_leaf)],
                "checkpoint": {"envelope": format!("{note}\n\u{2014} rekor.mint.test {}\n", b64(&sig))},
            },
            "canonicalizedBody": b64(body),
        })
    }

    /// Signs `digest` (`sha256:<hex>`) both ways with `k`.
    pub fn sign(&self, digest: &str, k: &Knobs) -> Signed {
        let signer_key = key(50);
        let from = self.start + 10 * 86400;
        let cert = self.leaf_cert(&signer_key, k, from);
        let cert_pem = pem(&cert);
        let integrated = from + k.logged_after.unwrap_or(60);
        let named = k.other_digest.clone().unwrap_or_else(|| digest.to_owned());
        let hex_digest = named.trim_start_matches("sha256:");

        // Bundle: DSSE in-toto statement.
        let statement = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"digest":{{"sha256":"{hex_digest}"}}}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{{}}}}"#
        );
        let payload_type = "application/vnd.in-toto+json";
        let pae = format!(
            "DSSEv1 {} {payload_type} {} {statement}",
            payload_type.len(),
            statement.len()
        );
        let dsse_sig = sign(&signer_key, pae.as_bytes());
        let (logged_sig, logged_payload) = if k.foreign_entry {
            let other = b"{\"other\":true}".to_vec();
            (sign(&signer_key, &other), other)
        } else {
            (dsse_sig.clone(), statement.clone().into_bytes())
        };
        let body = json!({"apiVersion": "0.0.1", "kind": "dsse", "spec": {
            "payloadHash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&logged_payload))},
            "signatures": [{"signature": b64(&logged_sig), "verifier": b64(cert_pem.as_bytes())}],
        }});
        let entry = if k.rekor_v2 {
            let verifier = json!({"keyDetails": "PKIX_ECDSA_P256_SHA_256", "x509Certificate": {"rawBytes": b64(&cert)}});
            let body = json!({"apiVersion": "0.0.2", "kind": "dsse", "spec": {"dsseV002": {
                "payloadHash": {"algorithm": "SHA2_256", "digest": b64(&Sha256::digest(&logged_payload))},
                "signatures": [{"content": b64(&logged_sig), "verifier": verifier}],
            }}});
            self.entry_v2(serde_json::to_string(&body).unwrap().as_bytes(), "dsse", k)
        } else {
            self.entry(
                serde_json::to_string(&body).unwrap().as_bytes(),
                integrated,
                k,
            )
        };
        let shipped = if k.tamper {
            statement.replace("\"predicate\":{}", "\"predicate\":{\"x\":1}")
        } else {
            statement.clone()
        };
        // Timestamps cover the raw signature bytes, at `from + 30` (after the leaf's end for
        // `AfterLeaf`).
        let gen_time = match k.tsa {
            Some(TsaKnob::AfterLeaf) => from + k.lifetime.unwrap_or(600) + 100,
            _ => from + 30,
        };
        let mut material = json!({"certificate": {"rawBytes": b64(&cert)}, "tlogEntries": [entry]});
        if let Some(knob) = k.tsa {
            material["timestampVerificationData"] = json!({"rfc3161Timestamps": [
                {"signedTimestamp": b64(&self.tsa.respond(&dsse_sig, gen_time, knob))},
            ]});
        }
        let bundle = json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": material,
            "dsseEnvelope": {"payload": b64(shipped.as_bytes()), "payloadType": payload_type, "signatures": [{"sig": b64(&dsse_sig)}]},
        });

        // Classic: simple signing payload, hashedrekord entry in the bundle annotation.
        let payload = format!(r#"{{"critical":{{"identity":{{"docker-reference":"r/keyless"}},"image":{{"docker-manifest-digest":"{named}"}},"type":"cosign container image signature"}},"optional":null}}"#).into_bytes();
        let sig = sign(&signer_key, &payload);
        let (logged_sig, logged_payload) = if k.foreign_entry {
            let other = b"another payload".to_vec();
            (sign(&signer_key, &other), other)
        } else {
            (sig.clone(), payload.clone())
        };
        let body = json!({"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&logged_payload))}},
            "signature": {"content": b64(&logged_sig), "publicKey": {"content": b64(cert_pem.as_bytes())}},
        }});
        let e = self.entry(
            serde_json::to_string(&body).unwrap().as_bytes(),
            integrated,
            k,
        );
        let annotation = json!({
            "SignedEntryTimestamp": e["inclusionPromise"]["signedEntryTimestamp"],
            "Payload": {
                "body": e["canonicalizedBody"],
                "integratedTime": integrated,
                "logIndex": 1,
                "logID": hex::encode(base64::engine::general_purpose::STANDARD.decode(e["logId"]["keyId"].as_str().unwrap()).unwrap()),
            },
        });
        let mut shipped_payload = payload.clone();
        if k.tamper {
            shipped_payload = String::from_utf8(payload)
                .unwrap()
                .replace("\"optional\":null", "\"optional\":{\"x\":\"1\"}")
                .into_bytes();
        }
        let mut classic_annotations = json!({
            "dev.cosignproject.cosign/signature": b64(&sig),
            "dev.sigstore.cosign/certificate": cert_pem,
            "dev.sigstore.cosign/chain": format!("{}{}", pem(&self.intermediate_der), pem(&self.root_der)),
            "dev.sigstore.cosign/bundle": serde_json::to_string(&annotation).unwrap(),
        });
        if let Some(knob) = k.tsa {
            let response = self.tsa.respond(&sig, gen_time, knob);
            classic_annotations["dev.sigstore.cosign/rfc3161timestamp"] = json!(
                serde_json::to_string(&json!({"SignedRFC3161Timestamp": b64(&response)})).unwrap()
            );
        }
        if k.no_log_annotation {
            classic_annotations
                .as_object_mut()
                .unwrap()
                .remove("dev.sigstore.cosign/bundle");
        }
        Signed {
            bundle,
            classic_payload: shipped_payload,
            classic_annotations,
        }
    }
}

/// Pushes an artifact `repo:v1` (its digest returned), unsigned.
pub fn push_artifact(reg: &TestRegistry, repo: &str, seed: &str) -> String {
    push_tagged(reg, repo, seed, "v1")
}

/// Pushes an artifact `repo:<tag>` (its digest returned), unsigned.
pub fn push_tagged(reg: &TestRegistry, repo: &str, seed: &str, tag: &str) -> String {
    let config = reg.put_blob(b"{}");
    let layer_bytes = seed.as_bytes();
    let layer = reg.put_blob(layer_bytes);
    let manifest = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": 2},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": layer_bytes.len()}]});
    let d = reg.put_manifest(
        repo,
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&manifest).unwrap(),
        Some(tag),
    );
    d["digest"].as_str().unwrap().to_owned()
}

/// Attaches `signed` to `digest`: the bundle as a referrer, or the classic `.sig` image.
pub fn attach(reg: &TestRegistry, repo: &str, digest: &str, signed: &Signed, bundle: bool) {
    let empty = reg.put_blob(b"{}");
    if bundle {
        let bytes = serde_json::to_vec(&signed.bundle).unwrap();
        let layer = reg.put_blob(&bytes);
        let t = "application/vnd.dev.sigstore.bundle.v0.3+json";
        let manifest = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "artifactType": t,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": 2},
            "layers": [{"mediaType": t, "digest": layer, "size": bytes.len()}],
            "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": 1}});
        let mut d = reg.put_manifest(
            repo,
            "application/vnd.oci.image.manifest.v1+json",
            &serde_json::to_vec(&manifest).unwrap(),
            None,
        );
        d["artifactType"] = json!(t);
        reg.add_referrer(repo, digest, d);
    } else {
        attach_classic(reg, repo, digest, &[signed]);
    }
}

/// Attaches the classic `.sig` image of `digest`, one layer per signature, in order.
pub fn attach_classic(reg: &TestRegistry, repo: &str, digest: &str, signed: &[&Signed]) {
    let empty = reg.put_blob(b"{}");
    let layers: Vec<Value> = signed
        .iter()
        .map(|s| {
            let layer = reg.put_blob(&s.classic_payload);
            json!({"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "digest": layer, "size": s.classic_payload.len(), "annotations": s.classic_annotations})
        })
        .collect();
    let manifest = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": empty, "size": 2},
        "layers": layers});
    let tag = format!("{}.sig", digest.replacen(':', "-", 1));
    reg.put_manifest(
        repo,
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&manifest).unwrap(),
        Some(&tag),
    );
}
