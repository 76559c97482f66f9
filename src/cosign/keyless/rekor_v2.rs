//! Rekor v2 (rekor-tiles) entries: the `hashedrekord` / `dsse` `0.0.2` bodies (protojson of
//! rekor-tiles' `Entry`) and their proof, a checkpoint signed as a C2SP signed note whose origin
//! is the log's `baseUrl` host — sigstore-go's `tlog.VerifyCheckpointAndInclusion` with
//! rekor-tiles' `note.NewNoteVerifier` and `verify.VerifyLogEntry`.
//!
//! A v2 entry has no integrated time and no SET: under the policy Flux builds
//! (`WithIntegratedTimestamps(1)`, no signed timestamps) a bundle whose only entries are v2
//! ones passes the log check and then fails sigstore-go's timestamp threshold
//! ([`super::entity`]), exactly as source-controller v1.9.1 fails it.

use super::root::Log;
use super::tlog::{root_from_inclusion_proof, Body, Entry};
use crate::cosign::VerifierKey;
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// The body kinds rekor-tiles writes, keyed by their `spec` member.
const HASHED_REKORD: &str = "hashedRekordV002";
const DSSE: &str = "dsseV002";

fn b64(value: Option<&Value>, what: &str) -> Result<Vec<u8>, String> {
    let text = value.and_then(Value::as_str).unwrap_or_default();
    super::root::proto_bytes(text).map_err(|e| format!("rekor v2 entry {what}: {e}"))
}

/// A `Verifier` message: the certificate's or key's DER.
fn verifier_der(verifier: Option<&Value>) -> Result<Vec<u8>, String> {
    let verifier = verifier.ok_or("missing verifier")?;
    let raw = verifier
        .pointer("/x509Certificate/rawBytes")
        .or_else(|| verifier.pointer("/publicKey/rawBytes"));
    if raw.is_none() {
        // rekor-tiles types/verifier.Validate
        return Err("missing signature public key or certificate".into());
    }
    b64(raw, "verifier")
}

/// Reads a v2 body, `None` when `spec` is not a v2 one (the body is then read as Rekor v1).
pub fn parse_body(kind: &str, api_version: &str, spec: &Value) -> Option<Result<Body, String>> {
    let (member, inner) = [HASHED_REKORD, DSSE]
        .into_iter()
        .find_map(|m| spec.get(m).map(|v| (m, v)))?;
    let parse = || -> Result<Body, String> {
        let mut body = Body {
            kind: kind.to_owned(),
            api_version: api_version.to_owned(),
            rekor_v2: true,
            ..Body::default()
        };
        // sigstore-go tlog validateHashedRekordV002Entry / validateDSSEV002Entry
        if member == HASHED_REKORD {
            let signature = inner.get("signature");
            body.signature = b64(signature.and_then(|s| s.get("content")), "signature")?;
            if body.signature.is_empty() {
                return Err("missing signature".into());
            }
            body.public_key_der = Some(verifier_der(signature.and_then(|s| s.get("verifier")))?);
            let data = inner.get("data").ok_or("missing digest")?;
            let algorithm = data
                .get("algorithm")
                .and_then(Value::as_str)
                .unwrap_or_default();
            body.artifact_digest = Some((
                hash_name(algorithm).to_owned(),
                b64(data.get("digest"), "digest")?,
            ));
        } else {
            let hash = inner.get("payloadHash").ok_or("missing payload")?;
            body.payload_hash = Some(b64(hash.get("digest"), "payloadHash")?);
            let first = inner
                .get("signatures")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .ok_or("missing signatures")?;
            body.signature = b64(first.get("content"), "signature")?;
            body.public_key_der = Some(verifier_der(first.get("verifier"))?);
        }
        Ok(body)
    };
    Some(parse())
}

/// protobuf-specs `HashAlgorithm` names as the v1 bodies spell them.
fn hash_name(algorithm: &str) -> &str {
    match algorithm {
        "SHA2_256" => "sha256",
        "SHA2_384" => "sha384",
        "SHA2_512" => "sha512",
        other => other,
    }
}

/// rekor-tiles' `note.KeyHash`: ECDSA keys by the hash of their DER alone, Ed25519 as C2SP
/// specifies (name, newline, algorithm byte 1, key), RSA with rekor-tiles' own identifier.
fn key_hash(origin: &str, log: &Log) -> Option<[u8; 4]> {
    let sum = match &log.key {
        VerifierKey::P256(_) | VerifierKey::P384(_) | VerifierKey::P521(_) => {
            Sha256::digest(&log.key_der)
        }
        VerifierKey::Ed25519(k) => {
            let mut h = Sha256::new();
            h.update(origin.as_bytes());
            h.update(b"\n");
            h.update([1u8]);
            h.update(k.as_bytes());
            h.finalize()
        }
        VerifierKey::Rsa(_) => {
            let mut h = Sha256::new();
            h.update(origin.as_bytes());
            h.update(b"\n");
            h.update([255u8]);
            h.update(b"PKIX-RSA-PKCS#1v1.5");
            h.update(&log.key_der);
            h.finalize()
        }
        _ => return None,
    };
    sum.get(..4).and_then(|s| s.try_into().ok())
}

/// The origin a v2 log signs its checkpoints with: the `baseUrl`'s host.
fn origin(base_url: &str) -> Result<String, String> {
    if base_url.is_empty() {
        // sigstore-go pkg/verify/tlog.go
        return Err(
            "cannot verify Rekor v2 entry without baseUrl in transparency log's trusted root"
                .into(),
        );
    }
    let url = url::Url::parse(base_url).map_err(|e| e.to_string())?;
    let host = url.host_str().unwrap_or_default().to_owned();
    // rekor-tiles note.isValidName
    if host.is_empty() || host.contains(char::is_whitespace) || host.contains('+') {
        return Err(format!("loading note verifier: invalid name {host}"));
    }
    Ok(host)
}

/// `VerifyCheckpointAndInclusion`: the signed note verifies with the log's key under the
/// origin, its first line is the origin, and the proof leads from the body's leaf hash at the
/// entry's index to the checkpoint's root and size. Errors after `verifying log entry: `.
pub fn verify_inclusion(entry: &Entry, log: &Log) -> Result<(), String> {
    let origin = origin(&log.base_url)?;
    let wrap = |e: String| format!("verifying log entry: {e}");
    let proof = entry
        .proof
        .as_ref()
        .ok_or_else(|| wrap("inclusion proof missing".into()))?;
    let Some((text, signatures)) = proof.checkpoint.split_once("\n\n") else {
        return Err(wrap("malformed note".into()));
    };
    let text = format!("{text}\n");
    let hint = key_hash(&origin, log).ok_or_else(|| wrap("unsupported key type".into()))?;
    // golang.org/x/mod/sumdb/note Open: only signatures by a known name and key hash count.
    let mut known = 0;
    let mut verified = false;
    for line in signatures.lines() {
        let Some((name, sig)) = line
            .strip_prefix("\u{2014} ")
            .and_then(|rest| rest.rsplit_once(' '))
        else {
            continue;
        };
        let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(sig) else {
            continue;
        };
        if name != origin || raw.get(..4) != Some(&hint[..]) {
            continue;
        }
        known += 1;
        if raw
            .get(4..)
            .is_some_and(|s| log.key.verify(text.as_bytes(), s).is_ok())
        {
            verified = true;
        }
    }
    if !verified {
        return Err(wrap(if known == 0 {
            "note has no verifiable signatures".into()
        } else {
            format!("invalid signature for key {origin}+{}", hex::encode(hint))
        }));
    }
    let mut lines = text.lines();
    if lines.next() != Some(origin.as_str()) {
        return Err(wrap(format!("unmatched origin: expected {origin:?}")));
    }
    let size: u64 = lines
        .next()
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| wrap("invalid checkpoint: tree size".into()))?;
    let root_hash = lines
        .next()
        .and_then(|l| base64::engine::general_purpose::STANDARD.decode(l).ok())
        .ok_or_else(|| wrap("invalid checkpoint: root hash".into()))?;
    let index = u64::try_from(entry.log_index).map_err(|e| wrap(e.to_string()))?;
    let leaf = {
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(&entry.body);
        h.finalize().to_vec()
    };
    let computed = root_from_inclusion_proof(index, size, &leaf, &proof.hashes);
    if computed.as_deref() != Some(root_hash.as_slice()) {
        return Err(wrap(format!(
            "verifying inclusion: calculated root {} does not match checkpoint root {}",
            computed.map(hex::encode).unwrap_or_else(|| "(none)".into()),
            hex::encode(&root_hash)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_the_base_url_host() {
        assert_eq!(
            origin("https://log2025-1.rekor.sigstore.dev").unwrap(),
            "log2025-1.rekor.sigstore.dev"
        );
        assert!(origin("").unwrap_err().contains("without baseUrl"));
    }

    #[test]
    fn v2_bodies_and_v1_bodies_are_told_apart() {
        let spec: Value = serde_json::from_str(
            r#"{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":"AAEC"},"signature":{"content":"AQI=","verifier":{"keyDetails":"PKIX_ECDSA_P256_SHA_256","publicKey":{"rawBytes":"BAU="}}}}}"#,
        )
        .unwrap();
        let body = parse_body("hashedrekord", "0.0.2", &spec).unwrap().unwrap();
        assert!(body.rekor_v2);
        assert_eq!(body.signature, vec![1, 2]);
        assert_eq!(body.public_key_der, Some(vec![4, 5]));
        assert_eq!(body.artifact_digest, Some(("sha256".into(), vec![0, 1, 2])));
        let no_verifier: Value = serde_json::from_str(
            r#"{"dsseV002":{"payloadHash":{"digest":"AA=="},"signatures":[{"content":"AQ=="}]}}"#,
        )
        .unwrap();
        assert_eq!(
            parse_body("dsse", "0.0.2", &no_verifier)
                .unwrap()
                .unwrap_err(),
            "missing verifier"
        );
        let v1: Value = serde_json::from_str(r#"{"signature":{"content":"AQ=="}}"#).unwrap();
        assert!(parse_body("hashedrekord", "0.0.1", &v1).is_none());
    }
}
