//! The `verify --verify-provider cosign` report: what is attached to the artifact, every key with every
//! signature it was checked against and why it failed (what Flux discards), the verdict and the
//! `SourceVerified` condition.

use crate::cosign::keyless::cert::Signer;
use crate::cosign::keyless::identity::compile;
use crate::cosign::keyless::{KeylessOutcome, KeylessStatus};
use crate::cosign::{CosignOutcome, KeyStatus, SignatureCheck, SignatureFormat};
use crate::flux::cosign::{cosign_result, CosignFlux};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Everything a cosign `verify` report shows.
#[derive(Debug, Clone)]
pub struct CosignReport {
    /// The reference as the user gave it.
    pub reference: String,
    /// Flux's revision string.
    pub revision: String,
    /// The source-controller version reproduced.
    pub flux_version: String,
    /// Whether `--check-claims` is on.
    pub check_claims: bool,
    /// The cosign stage's outcome.
    pub outcome: CosignOutcome,
    /// The registry did not answer for a digest reference (its error): the verdict shown is
    /// what Flux would write, but it rests on nothing the registry said.
    pub undecided: Option<String>,
}

/// `verified` when some key verified the signature, `failed` when every key tried failed it,
/// `error` when keyless verification of it needs Rekor online, `notTried` when Flux never looks
/// at it (the other format, or no key loaded).
fn signature_result(
    outcome: &CosignOutcome,
    format: SignatureFormat,
    digest: &str,
) -> &'static str {
    if let Some(keyless) = &outcome.keyless {
        let checked: Vec<_> = keyless
            .signatures
            .iter()
            .filter(|s| s.format == format && s.digest == digest)
            .collect();
        return if checked.is_empty() {
            "notTried"
        } else if checked.iter().any(|s| s.error.is_none()) {
            "verified"
        } else if checked.iter().any(|s| s.needs_online_log) {
            "error"
        } else {
            "failed"
        };
    }
    let checks: Vec<&SignatureCheck> = outcome
        .keys
        .iter()
        .flat_map(|k| &k.signatures)
        .filter(|s| s.format == format && s.digest == digest)
        .collect();
    if checks.is_empty() {
        "notTried"
    } else if checks.iter().any(|s| s.error.is_none()) {
        "verified"
    } else {
        "failed"
    }
}

/// Whether the registry described the artifact: a resolved descriptor always carries the
/// manifest's media type; a digest reference the registry could not resolve has the digest
/// alone ([`crate::flux::cosign::describe_digest`]).
fn described(artifact: &crate::source::Descriptor) -> bool {
    !artifact.media_type.is_empty()
}

fn key_result(status: &KeyStatus) -> &'static str {
    match status {
        KeyStatus::Verified => "verified",
        KeyStatus::Failed(_) => "failed",
        KeyStatus::Invalid(_) => "invalid",
        KeyStatus::Keyless => "keyless",
    }
}

fn key_error(status: &KeyStatus) -> Option<String> {
    match status {
        KeyStatus::Verified => None,
        KeyStatus::Failed(e) => Some(e.clone()),
        KeyStatus::Invalid(e) => Some(e.to_string()),
        KeyStatus::Keyless => Some(
            "empty value: Flux verifies keyless with it, and the signature needs Rekor online"
                .into(),
        ),
    }
}

fn signer_json(signer: &Signer) -> Value {
    json!({
        "issuer": signer.issuer,
        "subject": signer.subject,
        "subjectAlternativeNames": signer.sans,
        "claims": signer.claims.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
        "certificateIssuer": signer.certificate_issuer,
        "notBefore": signer.not_before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "notAfter": signer.not_after.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

/// The `keyless` object: the identities asked for, the trusted root, and per signature who
/// signed it, its log entry and why it failed.
fn keyless_json(keyless: &KeylessOutcome) -> Value {
    json!({
        "trustedRoot": keyless.root_source,
        "identities": keyless.identities.iter().map(|i| json!({"issuer": i.issuer, "subject": i.subject})).collect::<Vec<_>>(),
        "signatures": keyless.signatures.iter().map(|s| json!({
            "format": s.format.to_string(),
            "digest": s.digest,
            "result": if s.error.is_none() { "verified" } else if s.needs_online_log { "error" } else { "failed" },
            "error": s.error,
            "signer": s.signer.as_ref().map(signer_json),
            "logEntry": s.log.as_ref().map(|l| json!({
                "log": l.log,
                "index": l.index,
                "integratedTime": l.integrated_time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "kind": l.kind,
            })),
            "claimedDigest": s.claimed_digest,
            "checked": s.checked,
            "details": s.details,
        })).collect::<Vec<_>>(),
        "hints": keyless_hints(keyless),
    })
}

/// The hint that matters when no signature verified: the signing identity against the one
/// asked for.
pub fn keyless_hints(keyless: &KeylessOutcome) -> Vec<String> {
    if keyless.status == KeylessStatus::Verified {
        return Vec::new();
    }
    let mut hints = Vec::new();
    for s in &keyless.signatures {
        let Some(signer) = &s.signer else { continue };
        if keyless.identities.is_empty() {
            if s.format == SignatureFormat::Bundle {
                hints.push(format!(
                    "the signing identity is `{}` (issuer `{}`); Flux verifies bundles only against exactly one matchOIDCIdentity entry, and none is given",
                    signer.subject, signer.issuer
                ));
            }
            continue;
        }
        for identity in &keyless.identities {
            let subject_ok = compile(&identity.subject)
                .is_ok_and(|r| signer.sans.iter().any(|san| r.is_match(san)));
            let issuer_ok = compile(&identity.issuer).is_ok_and(|r| r.is_match(&signer.issuer));
            if !subject_ok {
                hints.push(format!(
                    "the signing identity is `{}`; your matchOIDCIdentity subject `{}` does not match it",
                    signer.subject, identity.subject
                ));
            } else if !issuer_ok {
                hints.push(format!(
                    "the signing issuer is `{}`; your matchOIDCIdentity issuer `{}` does not match it",
                    signer.issuer, identity.issuer
                ));
            }
        }
    }
    hints.sort();
    hints.dedup();
    hints
}

fn keyless_text(out: &mut String, keyless: &KeylessOutcome) {
    let _ = writeln!(out, "\nKeyless:    trusted root: {}", keyless.root_source);
    if keyless.identities.is_empty() {
        let _ = writeln!(out, "  identities: none (matchOIDCIdentity is empty)");
    }
    for i in &keyless.identities {
        let _ = writeln!(
            out,
            "  identity: issuer `{}`, subject `{}`",
            i.issuer, i.subject
        );
    }
    for s in &keyless.signatures {
        let verdict = match &s.error {
            None => "verified".to_owned(),
            Some(e) => e.clone(),
        };
        let _ = writeln!(out, "  {} {}: {verdict}", s.format, s.digest);
        if let Some(signer) = &s.signer {
            let _ = writeln!(
                out,
                "    signed by {} (issuer {}), certificate from {}",
                signer.subject, signer.issuer, signer.certificate_issuer
            );
            for (name, value) in &signer.claims {
                let _ = writeln!(out, "    {name}: {value}");
            }
        }
        if let Some(l) = &s.log {
            let _ = writeln!(
                out,
                "    logged in {} at index {}, {} ({})",
                l.log,
                l.index,
                l.integrated_time
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                l.kind
            );
        }
        for check in &s.checked {
            let _ = writeln!(out, "    checked: {check}");
        }
        for detail in &s.details {
            let _ = writeln!(out, "    why: {detail}");
        }
    }
    for hint in keyless_hints(keyless) {
        let _ = writeln!(out, "  Hint: {hint}");
    }
}

impl CosignReport {
    /// Flux's verdict and condition.
    pub fn flux(&self) -> CosignFlux {
        cosign_result(&self.outcome, &self.revision, self.check_claims)
    }

    /// Whether the verdict could not be decided: the registry did not answer and no key
    /// verified (a key that does not load fails whatever the registry says).
    pub fn is_undecided(&self) -> bool {
        self.undecided.is_some()
            && matches!(
                self.outcome.verdict,
                crate::cosign::CosignVerdict::Failed(crate::cosign::CosignFailure::NoMatch { .. })
            )
    }

    /// `verified` / `failed` / `skipped`, or `error` when undecided.
    pub fn result_name(&self) -> &'static str {
        if self.is_undecided() {
            "error"
        } else {
            self.flux().result.name()
        }
    }

    /// The JSON object (the `verify -o json` contract, plus `provider` and `keys`).
    pub fn to_json(&self) -> Value {
        let o = &self.outcome;
        let flux = self.flux();
        let mut signatures = Vec::new();
        for b in o.discovery.bundles.iter().filter(|b| b.is_sigstore()) {
            signatures.push(json!({
                "format": "bundle",
                "digest": b.manifest.digest,
                "mediaType": b.manifest.media_type,
                "artifactType": b.manifest.artifact_type,
                "result": signature_result(o, SignatureFormat::Bundle, &b.manifest.digest),
                "error": b.bundle.as_ref().err().map(|e| format!("not a usable bundle: {e}")),
            }));
        }
        if let Some(c) = &o.discovery.classic {
            for s in &c.signatures {
                signatures.push(json!({
                    "format": "classic",
                    "digest": s.layer.digest,
                    "mediaType": s.layer.media_type,
                    "tag": c.tag,
                    "manifest": c.manifest.digest,
                    "claimedDigest": s.claimed_digest,
                    "result": signature_result(o, SignatureFormat::Classic, &s.layer.digest),
                    "error": s.payload.as_ref().err(),
                }));
            }
        }
        let keys: Vec<Value> = o
            .keys
            .iter()
            .map(|k| {
                json!({
                    "name": k.name,
                    "type": k.kind,
                    "result": key_result(&k.status),
                    "triedByFlux": k.tried_by_flux,
                    "error": key_error(&k.status),
                    "signatures": k.signatures.iter().map(|s| json!({
                        "format": s.format.to_string(),
                        "digest": s.digest,
                        "result": if s.error.is_none() { "verified" } else { "failed" },
                        "error": s.error,
                        "claimedDigest": s.claimed_digest,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "mode": "flux",
            "provider": "cosign",
            "fluxVersion": self.flux_version,
            "reference": self.reference,
            "artifactReference": o.artifact_reference,
            "artifact": described(&o.artifact).then(|| json!({"mediaType": o.artifact.media_type, "digest": o.artifact.digest, "size": o.artifact.size})),
            "revision": self.revision,
            "policy": null,
            "result": self.result_name(),
            "error": flux.error,
            "checkClaims": self.check_claims,
            "signatures": signatures,
            "keys": keys,
            "keyless": o.keyless.as_ref().map(keyless_json),
            "condition": flux.condition.map(|c| json!({
                "type": c.kind, "status": c.status, "reason": c.reason, "message": c.message,
            })),
            "warnings": o.warnings,
        })
    }

    /// The text report.
    pub fn to_text(&self) -> String {
        let o = &self.outcome;
        let flux = self.flux();
        let mut out = String::new();
        for warning in &o.warnings {
            let _ = writeln!(out, "Warning: {warning}");
        }
        let _ = writeln!(out, "Artifact:   {}", o.artifact_reference);
        if described(&o.artifact) {
            let _ = writeln!(
                out,
                "            {} ({} bytes)",
                o.artifact.media_type, o.artifact.size
            );
        } else {
            let _ = writeln!(
                out,
                "            not described by the registry (Flux looks the signatures up by digest all the same)"
            );
        }
        let _ = writeln!(
            out,
            "Mode:       flux (source-controller {}), provider cosign{}",
            self.flux_version,
            if self.check_claims {
                ", --check-claims"
            } else {
                ""
            }
        );
        let d = &o.discovery;
        let loaded = d.bundles.iter().filter(|b| b.bundle.is_ok()).count();
        let classic = d.classic.as_ref().map_or(0, |c| c.signatures.len());
        if !o.keys.is_empty() {
            let used = if d.uses_bundles() {
                "Flux verifies the bundles only"
            } else {
                "no bundle, so Flux verifies the classic signatures"
            };
            let classic_text = if d.classic_looked_up {
                format!("{classic} classic")
            } else {
                "classic not looked up".to_owned()
            };
            let _ = writeln!(
                out,
                "Signatures: {loaded} bundle(s), {classic_text} ({used})"
            );
        }
        for b in d.bundles.iter().filter(|b| b.is_sigstore()) {
            match &b.bundle {
                Ok(_) => {
                    let _ = writeln!(out, "  bundle  {}", b.manifest.digest);
                }
                Err(e) => {
                    let _ = writeln!(
                        out,
                        "  referrer {} skipped: not a usable bundle: {e}",
                        b.manifest.digest
                    );
                }
            }
        }
        if let Some(e) = &d.referrers_error {
            let _ = writeln!(out, "  referrers lookup failed: {e}");
        }
        if let Some(c) = &d.classic {
            for s in &c.signatures {
                let claim = match &s.claimed_digest {
                    Some(claimed) if claimed == &o.artifact.digest => String::new(),
                    Some(claimed) => format!(" (payload names {claimed})"),
                    None => " (payload names no digest)".to_owned(),
                };
                let _ = writeln!(out, "  classic {} in {}{claim}", s.layer.digest, c.tag);
            }
        }
        if let Some(e) = &d.classic_error {
            let _ = writeln!(out, "  classic signature lookup failed: {e}");
        }
        if let Some(keyless) = &o.keyless {
            keyless_text(&mut out, keyless);
        }
        for k in &o.keys {
            out.push('\n');
            let kind = k
                .kind
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            let tried = if k.tried_by_flux {
                ""
            } else {
                " [Flux stops before this key]"
            };
            let _ = writeln!(
                out,
                "Key {}{kind}: {}{tried}",
                k.name,
                key_result(&k.status)
            );
            if k.signatures.is_empty() {
                if let Some(e) = key_error(&k.status) {
                    let _ = writeln!(out, "  {e}");
                }
            }
            for s in &k.signatures {
                match &s.error {
                    None => {
                        let _ = writeln!(out, "  {} {}: verified", s.format, s.digest);
                    }
                    Some(e) => {
                        let _ = writeln!(out, "  {} {}: {e}", s.format, s.digest);
                    }
                }
            }
        }
        out.push('\n');
        match (&self.undecided, self.is_undecided()) {
            (Some(why), true) => {
                let _ = writeln!(
                    out,
                    "Result:     error (could not decide: the registry did not answer: {why})"
                );
            }
            _ => {
                let _ = writeln!(out, "Result:     {}", flux.result.name());
            }
        }
        if let Some(error) = &flux.error {
            let mut lines = error.lines();
            let _ = writeln!(out, "Error:      {}", lines.next().unwrap_or_default());
            for line in lines {
                let _ = writeln!(out, "            {line}");
            }
        }
        out.push('\n');
        match &flux.condition {
            Some(c) => out.push_str(&c.describe()),
            None => out.push_str("Conditions: not reproduced (the signature needs Rekor online)\n"),
        }
        out
    }
}

/// ` keyless: <subject> (issuer <issuer>)` for a signature carrying a Fulcio certificate.
fn signer_suffix(signer: Option<Signer>) -> String {
    signer
        .map(|s| format!(" keyless: {} (issuer {})", s.subject, s.issuer))
        .unwrap_or_default()
}

/// What `ls` shows after notation's tree: the cosign signatures attached to `reference`, both
/// formats, in the same tree style (with the signing identity of keyless ones, and the error
/// of a classic keyless one without its Rekor bundle annotation, which only Rekor online could
/// verify); `None` when there are none (notation's output then stands alone, unchanged).
pub fn list_text(reference: &str, discovery: &crate::cosign::Discovery) -> Option<String> {
    use super::tree::Node;
    use crate::cosign::keyless::{cert, entity};
    let mut children = Vec::new();
    let bundles: Vec<Node> = discovery
        .bundles
        .iter()
        .filter(|b| b.is_sigstore())
        .map(|b| match &b.bundle {
            Ok(bundle) => {
                let signer = entity::parse(&bundle.raw)
                    .ok()
                    .and_then(|e| e.certificate)
                    .map(|c| cert::signer(&c));
                Node::leaf(format!("{}{}", b.manifest.digest, signer_suffix(signer)))
            }
            Err(e) => Node::leaf(format!("{} (not a usable bundle: {e})", b.manifest.digest)),
        })
        .collect();
    if !bundles.is_empty() {
        children.push(Node::branch(
            crate::cosign::bundle::BUNDLE_ARTIFACT_TYPE,
            bundles,
        ));
    }
    if let Some(c) = &discovery.classic {
        let digest = reference
            .rsplit_once('@')
            .map(|(_, d)| d)
            .unwrap_or_default();
        let layers = c
            .signatures
            .iter()
            .map(|s| {
                let claim = match &s.claimed_digest {
                    Some(claimed) if claimed == digest => String::new(),
                    Some(claimed) => format!(" (payload names {claimed})"),
                    None => " (payload names no digest)".into(),
                };
                let signer = s
                    .certificate
                    .as_deref()
                    .and_then(|pem| cert::certificates_from_pem(pem.as_bytes()).ok())
                    .and_then(|c| c.into_iter().next())
                    .map(|c| cert::signer(&c));
                // A certificate means keyless, where cosign needs the log entry (static keys
                // ignore the log in Flux).
                let online = if signer.is_some() && s.rekor_bundle.is_none() {
                    format!(" [error: {}]", crate::cosign::keyless::NEEDS_ONLINE_LOG)
                } else {
                    String::new()
                };
                Node::leaf(format!(
                    "{}{claim}{}{online}",
                    s.layer.digest,
                    signer_suffix(signer)
                ))
            })
            .collect();
        children.push(Node::branch(format!("{} (classic)", c.tag), layers));
    }
    let mut out = String::new();
    if !children.is_empty() {
        out = Node::branch(format!("cosign signatures of {reference}"), children).render();
    }
    for (what, error) in [
        ("referrers", &discovery.referrers_error),
        ("classic signatures", &discovery.classic_error),
    ] {
        if let Some(e) = error {
            out.push_str(&format!("Warning: cosign {what} lookup failed: {e}\n"));
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cosign::{ClassicImage, ClassicSignature, Discovery, FoundBundle};
    use crate::source::Descriptor;

    fn d(digest: &str) -> Descriptor {
        Descriptor {
            digest: digest.into(),
            ..Descriptor::default()
        }
    }

    #[test]
    fn listing_shows_both_formats_and_foreign_claims() {
        assert_eq!(list_text("r/a@sha256:aa", &Discovery::default()), None);
        let discovery = Discovery {
            bundles: vec![
                FoundBundle {
                    manifest: Descriptor {
                        artifact_type: Some(crate::cosign::bundle::BUNDLE_ARTIFACT_TYPE.into()),
                        ..d("sha256:b1")
                    },
                    bundle: Err("expected bundle layer".into()),
                },
                FoundBundle {
                    manifest: d("sha256:notation"),
                    bundle: Err("expected bundle layer".into()),
                },
            ],
            classic: Some(ClassicImage {
                tag: "sha256-aa.sig".into(),
                manifest: d("sha256:m"),
                signatures: vec![
                    ClassicSignature {
                        layer: d("sha256:l1"),
                        payload: Ok(Vec::new()),
                        signature: String::new(),
                        claimed_digest: Some("sha256:aa".into()),
                        rfc3161_timestamp: None,
                        certificate: None,
                        chain: None,
                        rekor_bundle: None,
                    },
                    ClassicSignature {
                        layer: d("sha256:l2"),
                        payload: Ok(Vec::new()),
                        signature: String::new(),
                        claimed_digest: Some("sha256:bb".into()),
                        rfc3161_timestamp: None,
                        certificate: None,
                        chain: None,
                        rekor_bundle: None,
                    },
                ],
            }),
            classic_looked_up: true,
            ..Discovery::default()
        };
        assert_eq!(
            list_text("r/a@sha256:aa", &discovery).unwrap(),
            "cosign signatures of r/a@sha256:aa\n\
             ├── application/vnd.dev.sigstore.bundle.v0.3+json\n\
             │   └── sha256:b1 (not a usable bundle: expected bundle layer)\n\
             └── sha256-aa.sig (classic)\n    \
                 ├── sha256:l1\n    \
                 └── sha256:l2 (payload names sha256:bb)\n"
        );
    }
}
