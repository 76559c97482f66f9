//! Rekor transparency log entries: the signed entry timestamp (SET, the log's promise of
//! inclusion), the Merkle inclusion proof (RFC 6962) with its signed checkpoint, and the entry
//! body (`hashedrekord`, `dsse`, `intoto`) whose signature, key and payload hash must match
//! what is being verified — sigstore-go's `pkg/tlog` and rekor's `pkg/verify`. Rekor v2
//! bodies and checkpoints are [`super::rekor_v2`]'s.

use super::root::{proto_bytes, Log, TrustedRoot};
use base64::Engine as _;
use chrono::{DateTime, TimeZone as _, Utc};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

/// A log entry as a bundle or a classic `bundle` annotation carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `logIndex`.
    pub log_index: i64,
    /// The log's key ID.
    pub log_id: Vec<u8>,
    /// `integratedTime` (seconds).
    pub integrated_time: i64,
    /// `canonicalizedBody`, base64 as carried (the SET covers this text).
    pub body_b64: String,
    /// The body, decoded.
    pub body: Vec<u8>,
    /// The signed entry timestamp.
    pub set: Option<Vec<u8>>,
    /// The inclusion proof.
    pub proof: Option<InclusionProof>,
    /// `kindVersion`, when given (`dsse` `0.0.1`).
    pub kind_version: Option<(String, String)>,
}

/// An inclusion proof with its checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    /// `logIndex` (in the tree).
    pub log_index: u64,
    /// `rootHash`.
    pub root_hash: Vec<u8>,
    /// `treeSize`.
    pub tree_size: u64,
    /// `hashes`.
    pub hashes: Vec<Vec<u8>>,
    /// `checkpoint.envelope`.
    pub checkpoint: String,
}

impl Entry {
    /// The integrated time.
    pub fn time(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.integrated_time, 0)
            .single()
            .unwrap_or_default()
    }
}

/// What the entry body records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body {
    /// `kind`.
    pub kind: String,
    /// `apiVersion`.
    pub api_version: String,
    /// The signature recorded.
    pub signature: Vec<u8>,
    /// The verifier recorded (PEM: a certificate or a key), Rekor v1.
    pub public_key_pem: Vec<u8>,
    /// The verifier recorded (DER), Rekor v2.
    pub public_key_der: Option<Vec<u8>>,
    /// A Rekor v2 (`0.0.2`) body.
    pub rekor_v2: bool,
    /// `hashedrekord`: the signed artifact's digest `(algorithm, bytes)`.
    pub artifact_digest: Option<(String, Vec<u8>)>,
    /// `dsse` / `intoto`: the payload hash.
    pub payload_hash: Option<Vec<u8>>,
}

fn std_b64(value: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(value)
        .map_err(|e| format!("illegal base64 data: {e}"))
}

/// Parses an entry body.
pub fn parse_body(body: &[u8]) -> Result<Body, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw {
        #[serde(default)]
        api_version: String,
        #[serde(default)]
        kind: String,
        #[serde(default)]
        spec: serde_json::Value,
    }
    let raw: Raw = serde_json::from_slice(body).map_err(|e| format!("invalid entry body: {e}"))?;
    let s = |v: &serde_json::Value, path: &[&str]| -> Option<String> {
        let mut v = v;
        for p in path {
            v = v.get(p)?;
        }
        v.as_str().map(str::to_owned)
    };
    let mut out = Body {
        kind: raw.kind.clone(),
        api_version: raw.api_version.clone(),
        ..Body::default()
    };
    let spec = &raw.spec;
    if let Some(v2) = super::rekor_v2::parse_body(&raw.kind, &raw.api_version, spec) {
        return v2;
    }
    match raw.kind.as_str() {
        "hashedrekord" => {
            out.signature = std_b64(&s(spec, &["signature", "content"]).unwrap_or_default())?;
            out.public_key_pem =
                std_b64(&s(spec, &["signature", "publicKey", "content"]).unwrap_or_default())?;
            let alg = s(spec, &["data", "hash", "algorithm"]).unwrap_or_default();
            let value = s(spec, &["data", "hash", "value"]).unwrap_or_default();
            out.artifact_digest = Some((alg, hex::decode(value).map_err(|e| e.to_string())?));
        }
        "dsse" => {
            let sig = spec.get("signatures").and_then(|v| v.get(0));
            let sig = sig.cloned().unwrap_or_default();
            out.signature = std_b64(&s(&sig, &["signature"]).unwrap_or_default())?;
            out.public_key_pem = std_b64(&s(&sig, &["verifier"]).unwrap_or_default())?;
            out.payload_hash = s(spec, &["payloadHash", "value"])
                .map(|v| hex::decode(v).map_err(|e| e.to_string()))
                .transpose()?;
        }
        "intoto" => {
            let content = spec.get("content").cloned().unwrap_or_default();
            let sig = content
                .get("envelope")
                .and_then(|e| e.get("signatures"))
                .and_then(|v| v.get(0))
                .cloned()
                .unwrap_or_default();
            // intoto v0.0.2 stores the envelope's base64 signature text base64-encoded again.
            let once = std_b64(&s(&sig, &["sig"]).unwrap_or_default())?;
            out.signature = std_b64(&String::from_utf8_lossy(&once)).unwrap_or(once);
            out.public_key_pem = std_b64(&s(&sig, &["publicKey"]).unwrap_or_default())?;
            out.payload_hash = s(&content, &["payloadHash", "value"])
                .map(|v| hex::decode(v).map_err(|e| e.to_string()))
                .transpose()?;
        }
        other => return Err(format!("unsupported entry kind {other:?}")),
    }
    Ok(out)
}

/// Parses a bundle's `tlogEntries[i]` (protojson).
pub fn parse_bundle_entry(value: &serde_json::Value) -> Result<Entry, String> {
    let text = |v: &serde_json::Value, path: &[&str]| -> Option<String> {
        let mut v = v;
        for p in path {
            v = v.get(p)?;
        }
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let int = |path: &[&str]| -> Result<i64, String> {
        text(value, path)
            .unwrap_or_else(|| "0".into())
            .parse::<i64>()
            .map_err(|e| format!("tlog entry {}: {e}", path.join(".")))
    };
    let body_b64 = text(value, &["canonicalizedBody"]).unwrap_or_default();
    let body = proto_bytes(&body_b64).map_err(|e| format!("tlog entry canonicalizedBody: {e}"))?;
    // The SET covers the standard base64 of the body.
    let body_b64 = base64::engine::general_purpose::STANDARD.encode(&body);
    let log_id = proto_bytes(&text(value, &["logId", "keyId"]).unwrap_or_default())
        .map_err(|e| format!("tlog entry logId.keyId: {e}"))?;
    let set = text(value, &["inclusionPromise", "signedEntryTimestamp"])
        .map(|v| proto_bytes(&v))
        .transpose()
        .map_err(|e| format!("tlog entry inclusionPromise: {e}"))?;
    let proof = match value.get("inclusionProof").filter(|p| !p.is_null()) {
        None => None,
        Some(p) => Some(InclusionProof {
            log_index: text(p, &["logIndex"])
                .unwrap_or_default()
                .parse()
                .unwrap_or(0),
            root_hash: proto_bytes(&text(p, &["rootHash"]).unwrap_or_default())?,
            tree_size: text(p, &["treeSize"])
                .unwrap_or_default()
                .parse()
                .unwrap_or(0),
            hashes: p
                .get("hashes")
                .and_then(|h| h.as_array())
                .map(|a| {
                    a.iter()
                        .map(|h| proto_bytes(h.as_str().unwrap_or_default()))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default(),
            checkpoint: text(p, &["checkpoint", "envelope"]).unwrap_or_default(),
        }),
    };
    Ok(Entry {
        log_index: int(&["logIndex"])?,
        log_id,
        integrated_time: int(&["integratedTime"])?,
        body_b64,
        body,
        set,
        proof,
        kind_version: text(value, &["kindVersion", "kind"])
            .zip(text(value, &["kindVersion", "version"])),
    })
}

/// Parses a classic signature's `dev.sigstore.cosign/bundle` annotation (cosign's
/// `RekorBundle`: `SignedEntryTimestamp` and `Payload` {`body`, `integratedTime`, `logIndex`,
/// `logID` in hex}).
pub fn parse_classic_bundle(annotation: &str) -> Result<Entry, String> {
    #[derive(Deserialize)]
    struct Raw {
        #[serde(rename = "SignedEntryTimestamp", default)]
        set: String,
        #[serde(rename = "Payload")]
        payload: Payload,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Payload {
        #[serde(default)]
        body: serde_json::Value,
        #[serde(default)]
        integrated_time: i64,
        #[serde(default)]
        log_index: i64,
        #[serde(rename = "logID", default)]
        log_id: String,
    }
    let raw: Raw = serde_json::from_str(annotation).map_err(|e| e.to_string())?;
    // cosign v3 VerifyBundle
    let Some(body_b64) = raw.payload.body.as_str().map(str::to_owned) else {
        return Err("bundle payload body is not a string".into());
    };
    Ok(Entry {
        log_index: raw.payload.log_index,
        log_id: hex::decode(&raw.payload.log_id).map_err(|e| format!("decoding log ID: {e}"))?,
        integrated_time: raw.payload.integrated_time,
        body: std_b64(&body_b64)?,
        body_b64,
        set: Some(std_b64(&raw.set)?),
        proof: None,
        kind_version: None,
    })
}

/// sigstore-go's `tlog.VerifySET`, with its words.
pub fn verify_set(entry: &Entry, root: &TrustedRoot) -> Result<(), String> {
    let Some(log) = root.tlog(&entry.log_id) else {
        return Err("rekor log public key not found for payload".into());
    };
    if log.validity.start.is_none() {
        return Err("rekor validity period start time not set".into());
    }
    if !log.validity.contains(entry.time()) {
        return Err("rekor log public key not valid at payload integrated time".into());
    }
    let Some(set) = &entry.set else {
        return Err("unable to verify SET".into());
    };
    // The RFC 8785 canonical form of {body, integratedTime, logID, logIndex}: keys sorted, no
    // spaces; the values are a base64 string, a hex string and integers, which need no escaping.
    let canonical = format!(
        r#"{{"body":"{}","integratedTime":{},"logID":"{}","logIndex":{}}}"#,
        entry.body_b64,
        entry.integrated_time,
        hex::encode(&entry.log_id),
        entry.log_index
    );
    match &log.key {
        crate::cosign::VerifierKey::P256(_)
        | crate::cosign::VerifierKey::P384(_)
        | crate::cosign::VerifierKey::P521(_) => {}
        other => return Err(format!("unsupported public key type: {}", other.describe())),
    }
    log.key
        .verify(canonical.as_bytes(), set)
        .map_err(|_| "unable to verify SET".to_owned())
}

pub(super) fn leaf_hash(data: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().to_vec()
}

fn node_hash(left: &[u8], right: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().to_vec()
}

/// RFC 9162 §2.1.3.2: the root an inclusion proof leads to from `leaf` (`None`: malformed).
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: &[u8],
    proof: &[Vec<u8>],
) -> Option<Vec<u8>> {
    if index >= size {
        return None;
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = leaf.to_vec();
    for p in proof {
        if sn == 0 {
            return None;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    (sn == 0).then_some(r)
}

/// Whether the checkpoint origin is a Rekor v1 one (`<name> - <tree id>`).
pub fn is_rekor_v1_checkpoint(checkpoint: &str) -> bool {
    let lines: Vec<&str> = checkpoint.split('\n').collect();
    if lines.len() < 4 {
        return false;
    }
    lines
        .first()
        .and_then(|l| l.rsplit_once(" - "))
        .is_some_and(|(_, id)| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// rekor's `VerifyInclusion` and `VerifyCheckpointSignature`: the proof leads from the body's
/// leaf hash to the root hash, and the checkpoint (a signed note) is signed by the log and
/// names that root and tree size.
pub fn verify_inclusion(entry: &Entry, log: &Log) -> Result<(), String> {
    let Some(proof) = &entry.proof else {
        return Err("inclusion proof missing".into());
    };
    let leaf = leaf_hash(&entry.body);
    let computed =
        root_from_inclusion_proof(proof.log_index, proof.tree_size, &leaf, &proof.hashes);
    if computed.as_deref() != Some(proof.root_hash.as_slice()) {
        return Err(format!(
            "verifying inclusion proof: calculated root {} does not match given root {}",
            computed.map(hex::encode).unwrap_or_else(|| "(none)".into()),
            hex::encode(&proof.root_hash)
        ));
    }
    // A signed note: the text up to the blank line, then `— <name> <base64(keyhint||sig)>`.
    let Some((text, signatures)) = proof.checkpoint.split_once("\n\n") else {
        return Err("invalid checkpoint: no signature lines".into());
    };
    let text = format!("{text}\n");
    let mut lines = text.lines();
    let _origin = lines.next();
    let size: Option<u64> = lines.next().and_then(|l| l.parse().ok());
    let root_hash = lines
        .next()
        .and_then(|l| base64::engine::general_purpose::STANDARD.decode(l).ok());
    let signed = signatures.lines().any(|line| {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            return false;
        };
        let Some((_name, sig)) = rest.rsplit_once(' ') else {
            return false;
        };
        let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(sig) else {
            return false;
        };
        // The first four bytes are the key hint.
        raw.get(4..)
            .is_some_and(|sig| !sig.is_empty() && log.key.verify(text.as_bytes(), sig).is_ok())
    });
    if !signed {
        return Err("signature on checkpoint did not verify".into());
    }
    if root_hash.as_deref() != Some(proof.root_hash.as_slice()) {
        return Err("proof root hash does not match signed tree head".into());
    }
    if size != Some(proof.tree_size) {
        return Err("proof tree size does not match signed tree head".into());
    }
    Ok(())
}

/// What a report shows of a log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSummary {
    /// The log's base URL (from the trusted root), or its key ID in hex when unknown.
    pub log: String,
    /// `logIndex`.
    pub index: i64,
    /// The integrated time.
    pub integrated_time: DateTime<Utc>,
    /// `kind`/`apiVersion` of the body.
    pub kind: String,
}

/// The summary of `entry`.
pub fn summarize(entry: &Entry, root: &TrustedRoot) -> LogSummary {
    LogSummary {
        log: root
            .tlog(&entry.log_id)
            .map(|l| l.base_url.clone())
            .unwrap_or_else(|| hex::encode(&entry.log_id)),
        index: entry.log_index,
        integrated_time: entry.time(),
        kind: parse_body(&entry.body)
            .map(|b| format!("{} {}", b.kind, b.api_version))
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inclusion_proof_of_a_two_leaf_tree() {
        let a = leaf_hash(b"a");
        let b = leaf_hash(b"b");
        let root = node_hash(&a, &b);
        assert_eq!(
            root_from_inclusion_proof(1, 2, &b, std::slice::from_ref(&a)),
            Some(root.clone())
        );
        assert_eq!(
            root_from_inclusion_proof(0, 2, &a, std::slice::from_ref(&b)),
            Some(root)
        );
        assert_eq!(root_from_inclusion_proof(2, 2, &a, &[b]), None);
    }

    #[test]
    fn rekor_v1_checkpoints_name_a_tree_id() {
        assert!(is_rekor_v1_checkpoint(
            "rekor.example - 123\n2\nAA==\n\n— x y\n"
        ));
        assert!(!is_rekor_v1_checkpoint(
            "log2025-1.rekor.example\n2\nAA==\n\n— x y\n"
        ));
    }
}
