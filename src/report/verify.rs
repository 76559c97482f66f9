//! The `verify` report: every signature with each validation's action and outcome, the verdict,
//! and Flux's condition (flux mode) or notation's own last lines (notation mode).

use crate::flux::condition::{source_verified, Condition};
use crate::flux::outcome::{check_outcome, FluxResult, FluxVerdict};
use crate::pki::revocation::{ChainRevocation, Purpose, RevocationMode};
use crate::settings::Mode;
use crate::settings::{FluxVersion, Settings};
use crate::verify::outcome::{
    LevelActions, PolicySummary, SignatureEntry, SignatureStatus, ValidationResult, Verdict,
    Verification, VerifyError,
};
use crate::verify::run::RunOutcome;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// The overall result as reports and exit codes use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportResult {
    /// Verified.
    Verified,
    /// Verification failed.
    Failed,
    /// Flux accepts the artifact without `SourceVerified` (flux mode).
    Ignored,
    /// Level `skip` (notation mode).
    Skipped,
    /// Could not decide: the artifact could not be resolved, or the registry (or layout) could
    /// not be read, so no signature could be judged.
    Error,
}

impl ReportResult {
    /// The JSON / text name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Failed => "failed",
            Self::Ignored => "ignored",
            Self::Skipped => "skipped",
            Self::Error => "error",
        }
    }
}

/// Everything a `verify` report shows.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// Flux or notation semantics.
    pub mode: Mode,
    /// The source-controller version reproduced (flux mode).
    pub flux_version: FluxVersion,
    /// The reference as the user gave it.
    pub reference: String,
    /// Flux's revision string (`<tag>@sha256:...` or `sha256:...`).
    pub revision: String,
    /// The statement that applied, when one did.
    pub policy: Option<PolicySummary>,
    /// What verification found.
    pub verification: Verification,
    /// Warnings to show (tag resolved to digest, policy clean-up, ...).
    pub warnings: Vec<String>,
    /// For `envelope verify`: the envelope's digest. Flux would report a failure of this
    /// signature as one of the joined per-signature errors under that digest.
    pub envelope_digest: Option<String>,
}

impl VerifyReport {
    /// The report of a verification run under `settings`.
    pub fn new(settings: Settings, run: RunOutcome) -> Self {
        Self {
            mode: settings.mode,
            flux_version: settings.flux_version,
            reference: run.reference,
            revision: run.revision,
            policy: run.policy,
            verification: run.verification,
            warnings: run.warnings,
            envelope_digest: run.envelope_digest,
        }
    }

    /// The mode and source-controller version the report was made under.
    pub fn settings(&self) -> Settings {
        Settings {
            mode: self.mode,
            flux_version: self.flux_version,
        }
    }

    /// Flux's verdict.
    pub fn flux(&self) -> FluxVerdict {
        let mut verdict = check_outcome(&self.verification);
        if let (Some(digest), Verdict::Failed(VerifyError::Signature(error))) =
            (&self.envelope_digest, &self.verification.verdict)
        {
            verdict.error = Some(format!(
                "signature verification failed\nfailed to verify signature with digest {digest}, {error}"
            ));
        }
        verdict
    }

    /// The `SourceVerified` condition Flux would write (flux mode only).
    pub fn condition(&self) -> Option<Condition> {
        match self.mode {
            Mode::Flux => source_verified(&self.flux(), &self.revision),
            Mode::Notation => None,
        }
    }

    /// The overall result in this mode.
    pub fn result(&self) -> ReportResult {
        if self
            .verification
            .error()
            .is_some_and(VerifyError::is_undecided)
        {
            return ReportResult::Error;
        }
        match self.mode {
            Mode::Flux => match self.flux().result {
                FluxResult::Verified => ReportResult::Verified,
                FluxResult::Ignored => ReportResult::Ignored,
                FluxResult::Failed | FluxResult::FetchFailed => ReportResult::Failed,
            },
            Mode::Notation => match self.verification.verdict {
                Verdict::Verified(_) => ReportResult::Verified,
                Verdict::Skipped => ReportResult::Skipped,
                Verdict::Failed(_) => ReportResult::Failed,
            },
        }
    }

    /// The full error text Flux / notation-go produce, when verification failed.
    pub fn error_text(&self) -> Option<String> {
        self.verification.error().map(ToString::to_string)
    }

    /// The JSON object of the CLI contract.
    pub fn to_json(&self) -> Value {
        let artifact = self
            .verification
            .artifact
            .as_ref()
            .map(|a| json!({"mediaType": a.media_type, "digest": a.digest, "size": a.size}));
        let policy = self.policy.as_ref().map(|p| {
            json!({
                "name": p.name,
                "level": p.level.name,
                "scope": p.scope,
                "actions": actions_json(&p.level),
            })
        });
        let mut warnings = self.warnings.clone();
        if self.mode == Mode::Flux {
            warnings.extend(self.flux().log_lines);
        } else {
            warnings.extend(self.notation_warnings());
        }
        json!({
            "mode": self.mode.name(),
            "fluxVersion": self.flux_version.to_string(),
            "reference": self.reference,
            "artifactReference": self.verification.artifact_reference,
            "artifact": artifact,
            "revision": self.revision,
            "policy": policy,
            "result": self.result().name(),
            "error": self.error_text(),
            "signatures": self.verification.signatures.iter().map(|e| signature_json(e, self.revocation_mode())).collect::<Vec<_>>(),
            "condition": self.condition().map(|c| json!({
                "type": c.kind, "status": c.status, "reason": c.reason, "message": c.message,
            })),
            "warnings": warnings,
        })
    }

    /// notation's `Warning: <type> was set to "<action>" and failed with error: <err>` lines
    /// for the verified signature's logged failures.
    pub fn notation_warnings(&self) -> Vec<String> {
        self.verification
            .verified_outcome()
            .map(|o| {
                o.logged_failures()
                    .filter_map(|r| {
                        r.error.as_ref().map(|e| {
                            format!(
                                "Warning: {} was set to \"{}\" and failed with error: {e}",
                                r.validation, r.action
                            )
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What the notation CLI prints last, line by line: warnings and the success line on success,
    /// the skip line, or the `Error: ...` line.
    pub fn notation_cli_lines(&self) -> Vec<String> {
        let reference = &self.verification.artifact_reference;
        match &self.verification.verdict {
            Verdict::Verified(_) => {
                let mut lines = self.notation_warnings();
                lines.push(format!("Successfully verified signature for {reference}"));
                lines
            }
            Verdict::Skipped => vec![format!(
                "Trust policy is configured to skip signature verification for {reference}"
            )],
            Verdict::Failed(error) => vec![format!("Error: {}", notation_cli_error(self, error))],
        }
    }

    /// The revocation methods in force for this mode and source-controller version.
    pub fn revocation_mode(&self) -> RevocationMode {
        crate::verify::stages::revocation_config(self.settings()).mode
    }

    /// The text report. In notation mode the CLI prints [`Self::notation_cli_lines`] after it.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for warning in &self.warnings {
            // Flux's clean-up log line starts with its own "warning: ".
            let text = warning.strip_prefix("warning: ").unwrap_or(warning);
            let _ = writeln!(out, "Warning: {text}");
        }
        let v = &self.verification;
        let _ = writeln!(out, "Artifact:   {}", v.artifact_reference);
        if let Some(a) = &v.artifact {
            let _ = writeln!(out, "            {} ({} bytes)", a.media_type, a.size);
        }
        let mode = match self.mode {
            Mode::Flux => format!("flux (source-controller {})", self.flux_version),
            Mode::Notation => "notation (CLI v1.3.2)".to_string(),
        };
        let _ = writeln!(out, "Mode:       {mode}");
        let _ = writeln!(out, "Revocation: {}", self.revocation_mode());
        match &self.policy {
            Some(p) => {
                let _ = writeln!(
                    out,
                    "Policy:     statement {:?} (scope {}), level {}",
                    p.name, p.scope, p.level.name
                );
                let actions: Vec<String> = p
                    .level
                    .actions
                    .iter()
                    .map(|(t, a)| format!("{t} {a}"))
                    .collect();
                let _ = writeln!(out, "            {}", actions.join(", "));
            }
            None => {
                let why = match &v.verdict {
                    Verdict::Failed(VerifyError::Resolve(_)) => {
                        "not evaluated (the artifact could not be resolved)"
                    }
                    Verdict::Failed(VerifyError::InvalidPolicy(_)) => {
                        "not evaluated (the trust policy is invalid: see the error below)"
                    }
                    Verdict::Failed(VerifyError::TrustMaterial(_)) => {
                        "not evaluated (the trust material cannot be used: see the error below)"
                    }
                    _ => "no statement applies",
                };
                let _ = writeln!(out, "Policy:     {why}");
            }
        }
        let tried = v.signatures.iter().filter(|s| s.outcome.is_some()).count();
        if !matches!(v.verdict, Verdict::Skipped) && v.artifact.is_some() {
            let _ = writeln!(
                out,
                "Signatures: {} found, {} tried",
                v.signatures.len(),
                tried
            );
        }
        for entry in &v.signatures {
            out.push('\n');
            write_signature(&mut out, entry);
        }
        out.push('\n');
        let result = self.result();
        let verdict_line = match (self.mode, result) {
            (Mode::Flux, ReportResult::Ignored) => {
                "Result:     ignored (Flux accepts the artifact without setting SourceVerified)"
                    .to_string()
            }
            (_, ReportResult::Error) => {
                "Result:     error (could not decide: no signature could be judged)".to_string()
            }
            (_, r) => format!("Result:     {}", r.name()),
        };
        let _ = writeln!(out, "{verdict_line}");
        if let Some(error) = self.error_text() {
            let mut lines = error.lines();
            let _ = writeln!(out, "Error:      {}", lines.next().unwrap_or_default());
            for line in lines {
                let _ = writeln!(out, "            {line}");
            }
        }
        match self.mode {
            Mode::Flux => {
                for line in self.flux().log_lines {
                    let _ = writeln!(out, "Log:        {line}");
                }
                out.push('\n');
                match self.condition() {
                    Some(c) => out.push_str(&c.describe()),
                    None if self.flux().result == FluxResult::FetchFailed => out.push_str(
                        "Conditions: SourceVerified is not set (Flux stops before verification: FetchFailed, failed to determine artifact digest)\n",
                    ),
                    None => out.push_str("Conditions: SourceVerified is not set (ignored)\n"),
                }
            }
            Mode::Notation => out.push('\n'),
        }
        out
    }
}

/// notation CLI's `checkVerificationFailure` (v1.3.2 `cmd/notation/verify.go`) and its
/// policy-load error texts. The same for every source: registry and OCI layout alike.
fn notation_cli_error(
    report: &VerifyReport,
    error: &crate::verify::outcome::VerifyError,
) -> String {
    use crate::verify::outcome::VerifyError;
    // `errors.Join(VerificationFailedError{}, e1, e2, ...)` wraps every signature's error, so
    // `errors.As` finds a trust store error there before the generic line applies.
    if matches!(error, VerifyError::AllFailed(_) | VerifyError::Signature(_)) {
        if let Some(line) = trust_store_error_line(&report.verification.signatures) {
            return line;
        }
    }
    match error {
        e if e.is_verification_failed() => format!(
            "signature verification failed for all the signatures associated with {}",
            report.verification.artifact_reference
        ),
        VerifyError::InvalidPolicy(text) | VerifyError::TrustMaterial(text) => text.clone(),
        other => format!("signature verification failed: {other}"),
    }
}

/// The line for the trust store error in the failed signatures' errors, when there is one:
/// `errors.As` a `TrustStoreError` first, then a `CertificateError`, in signature order; the
/// hint to add certificates when anything in the chain `errors.Is` `fs.ErrNotExist`, else the
/// inner error after the message (Go prints a nil one as `%!w(<nil>)`).
fn trust_store_error_line(signatures: &[SignatureEntry]) -> Option<String> {
    use crate::trust::store::NotationStoreErrorType;
    let errors: Vec<_> = signatures
        .iter()
        .filter_map(|s| s.outcome.as_ref())
        .filter(|o| o.error.is_some())
        .filter_map(|o| o.facts.trust_store_error.as_ref())
        .collect();
    let found = errors
        .iter()
        .find(|e| e.error_type == NotationStoreErrorType::TrustStore)
        .or_else(|| {
            errors
                .iter()
                .find(|e| e.error_type == NotationStoreErrorType::Certificate)
        })?;
    Some(if errors.iter().any(|e| e.not_exist) {
        format!(
            "{}. Use command 'notation cert add' to create and add trusted certificates to the trust store",
            found.message
        )
    } else {
        format!(
            "{}. {}",
            found.message,
            found.inner.as_deref().unwrap_or("%!w(<nil>)")
        )
    })
}

fn actions_json(level: &LevelActions) -> Value {
    let mut map = serde_json::Map::new();
    for (t, a) in &level.actions {
        map.insert(t.to_string(), Value::String(a.to_string()));
    }
    Value::Object(map)
}

fn validation_status(r: &ValidationResult) -> &'static str {
    match &r.error {
        None => "passed",
        Some(e) if e.is_not_checked() => "notChecked",
        Some(_) => "failed",
    }
}

/// The contract fields of one signature, plus (additively) the revocation mode in force and
/// the per-certificate revocation details; the top-level object keeps exactly its fields.
fn signature_json(entry: &SignatureEntry, revocation_mode: RevocationMode) -> Value {
    let outcome = entry.outcome.as_ref();
    json!({
        "digest": entry.manifest.digest,
        "mediaType": entry.envelope_media_type,
        "result": entry.status().to_string(),
        "error": outcome.and_then(|o| o.error.as_ref()).map(ToString::to_string),
        "validations": outcome.map(|o| o.results.iter().map(|r| json!({
            "type": r.validation.to_string(),
            "action": r.action.to_string(),
            "error": r.error.as_ref().map(ToString::to_string),
            "status": validation_status(r),
        })).collect::<Vec<_>>()).unwrap_or_default(),
        "revocationMode": revocation_mode.to_string(),
        "revocation": outcome.map(|o| revocation_json(&o.facts.revocation)).unwrap_or_default(),
    })
}

fn chain_name(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::CodeSigning => "signing",
        Purpose::Timestamping => "timestamping",
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// One entry per certificate checked, signing chain first; a chain whose check could not run
/// is one entry with its error and no subject.
fn revocation_json(chains: &[ChainRevocation]) -> Vec<Value> {
    let mut entries = Vec::new();
    for chain in chains {
        if let Some(error) = &chain.error {
            entries.push(json!({
                "chain": chain_name(chain.purpose),
                "mode": chain.mode.to_string(),
                "error": error,
            }));
        }
        for cert in &chain.certificates {
            entries.push(json!({
                "chain": chain_name(chain.purpose),
                "mode": chain.mode.to_string(),
                "subject": cert.subject,
                "status": cert.status.to_string(),
                "method": cert.method.to_string(),
                "durationMs": millis(cert.duration),
                // A server entry without a URL means none was asked (the text says so too).
                "servers": cert.servers.iter().filter(|s| !s.server.is_empty()).map(|s| json!({
                    "url": s.server,
                    "method": s.method.to_string(),
                    "result": s.status.to_string(),
                    "error": s.error,
                    "durationMs": millis(s.duration),
                })).collect::<Vec<_>>(),
            }));
        }
    }
    entries
}

/// One line per certificate: chain, subject, status, deciding method, servers and durations.
fn write_revocation(out: &mut String, chains: &[ChainRevocation]) {
    for chain in chains {
        let name = chain_name(chain.purpose);
        if let Some(error) = &chain.error {
            let _ = writeln!(
                out,
                "         {name} chain ({}): not checked: {error}",
                chain.mode
            );
        }
        for cert in &chain.certificates {
            let servers: Vec<String> = cert
                .servers
                .iter()
                .filter(|s| !s.server.is_empty())
                .map(|s| {
                    let error = s
                        .error
                        .as_deref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default();
                    format!(
                        "{} {} {}{error} ({} ms)",
                        s.method,
                        s.server,
                        s.status,
                        millis(s.duration)
                    )
                })
                .collect();
            let subject = crate::golang::quote::go_quote(&cert.subject);
            if servers.is_empty()
                && cert.status == crate::pki::revocation::RevocationStatus::NonRevokable
            {
                // notation-go's NonRevokable with method Unknown: nothing to ask, said plainly.
                let _ = writeln!(
                    out,
                    "         {name} {subject}: not revocable (NonRevokable): the certificate names no OCSP responder and no CRL distribution point, so there is nothing to ask"
                );
                continue;
            }
            let asked = if servers.is_empty() {
                "no server asked".to_string()
            } else {
                servers.join("; ")
            };
            let _ = writeln!(
                out,
                "         {name} {subject}: {} by {}, {asked}, {} ms",
                cert.status,
                cert.method,
                millis(cert.duration)
            );
        }
    }
}

fn write_signature(out: &mut String, entry: &SignatureEntry) {
    let media = entry
        .envelope_media_type
        .as_deref()
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    let status = match entry.status() {
        SignatureStatus::Verified => "verified",
        SignatureStatus::Failed => "failed",
        SignatureStatus::NotTried => "not tried",
    };
    let _ = writeln!(out, "Signature {}{media}: {status}", entry.manifest.digest);
    let Some(outcome) = &entry.outcome else {
        return;
    };
    if let Some(signer) = &outcome.facts.signer {
        let _ = writeln!(out, "  signed by {signer}");
    }
    for t in crate::verify::VALIDATION_ORDER {
        let action = outcome.level.action(t);
        let Some(r) = outcome.results.iter().find(|r| r.validation == t) else {
            let why = if action == crate::verify::Action::Skip {
                "skipped by the policy"
            } else {
                "not reached"
            };
            let _ = writeln!(
                out,
                "  [ -- ] {:<19} {:<8} {why}",
                t.to_string(),
                action.to_string()
            );
            // A skipped signing-chain check still leaves the TSA chain's, which always runs.
            if t == crate::verify::ValidationType::Revocation {
                write_revocation(out, &outcome.facts.revocation);
            }
            continue;
        };
        let (mark, text) = match &r.error {
            None => ("ok  ", "passed".to_string()),
            Some(e) if e.is_not_checked() => ("??  ", format!("not checked: {e}")),
            Some(e) if r.action == crate::verify::Action::Log => {
                ("warn", format!("failed (logged): {e}"))
            }
            Some(e) => ("FAIL", format!("failed: {e}")),
        };
        let _ = writeln!(
            out,
            "  [{mark}] {:<19} {:<8} {text}",
            r.validation.to_string(),
            r.action.to_string()
        );
        if t == crate::verify::ValidationType::Revocation {
            write_revocation(out, &outcome.facts.revocation);
        }
    }
    if let Some(error) = &outcome.error {
        if !outcome.results.iter().any(|r| r.is_critical()) {
            let _ = writeln!(out, "  error: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Descriptor;
    use crate::verify::outcome::{
        SignatureError, SignatureFacts, SignatureOutcome, ValidationError, VerifyError,
    };
    use crate::verify::{Action, ValidationType};

    const REF: &str = "localhost:5000/e2e@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";

    fn level(name: &str, a: Action) -> LevelActions {
        LevelActions {
            name: name.into(),
            actions: [
                (ValidationType::Integrity, Action::Enforce),
                (ValidationType::Authenticity, a),
                (ValidationType::AuthenticTimestamp, a),
                (ValidationType::Expiry, a),
                (ValidationType::Revocation, a),
            ],
        }
    }

    fn outcome(level: LevelActions, failing: Option<(ValidationType, &str)>) -> SignatureOutcome {
        let results = crate::verify::VALIDATION_ORDER
            .iter()
            .map(|t| ValidationResult {
                validation: *t,
                action: level.action(*t),
                error: failing
                    .filter(|(f, _)| f == t)
                    .map(|(_, m)| ValidationError::Authenticity(m.into())),
            })
            .collect::<Vec<_>>();
        let critical = results
            .iter()
            .find(|r| r.is_critical())
            .and_then(|r| r.error.clone());
        SignatureOutcome {
            level,
            results,
            error: critical.map(SignatureError::Validation),
            facts: SignatureFacts::default(),
        }
    }

    fn report(mode: Mode, verdict: Verdict, outcome: Option<SignatureOutcome>) -> VerifyReport {
        let lvl = outcome.as_ref().map(|o| o.level.clone());
        VerifyReport {
            mode,
            flux_version: FluxVersion::V1_9,
            reference: "@sha256:b8479de3".into(),
            revision: "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9"
                .into(),
            policy: lvl.clone().map(|level| PolicySummary {
                name: "e2e".into(),
                scope: "*".into(),
                level,
            }),
            verification: Verification {
                artifact_reference: REF.into(),
                artifact: Some(Descriptor {
                    media_type: "application/vnd.oci.image.manifest.v1+json".into(),
                    digest:
                        "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9"
                            .into(),
                    size: 517,
                    ..Descriptor::default()
                }),
                level: lvl,
                signatures: vec![
                    SignatureEntry {
                        manifest: Descriptor {
                            digest: "sha256:90ce".into(),
                            ..Descriptor::default()
                        },
                        envelope_media_type: Some("application/jose+json".into()),
                        outcome,
                    },
                    SignatureEntry {
                        manifest: Descriptor {
                            digest: "sha256:ffff".into(),
                            ..Descriptor::default()
                        },
                        envelope_media_type: None,
                        outcome: None,
                    },
                ],
                verdict,
            },
            warnings: Vec::new(),
            envelope_digest: None,
        }
    }

    #[test]
    fn verified_json_has_the_contract_fields() {
        let r = report(
            Mode::Flux,
            Verdict::Verified(0),
            Some(outcome(level("strict", Action::Enforce), None)),
        );
        let j = r.to_json();
        for key in [
            "mode",
            "fluxVersion",
            "reference",
            "artifactReference",
            "artifact",
            "revision",
            "policy",
            "result",
            "error",
            "signatures",
            "condition",
            "warnings",
        ] {
            assert!(j.get(key).is_some(), "missing {key}");
        }
        assert_eq!(j["result"], "verified");
        assert_eq!(j["error"], Value::Null);
        assert_eq!(j["policy"]["actions"]["authenticTimestamp"], "enforce");
        assert_eq!(j["signatures"][0]["result"], "verified");
        assert_eq!(j["signatures"][0]["validations"][1]["type"], "authenticity");
        assert_eq!(j["signatures"][1]["result"], "notTried");
        assert_eq!(j["condition"]["status"], "True");
        assert_eq!(
            j["condition"]["message"],
            "verified signature of revision sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9"
        );
        assert_eq!(r.result(), ReportResult::Verified);
        assert!(r.to_text().contains("Type:     SourceVerified"));
    }

    #[test]
    fn logged_authenticity_failure_is_ignored_by_flux_and_a_warning_in_notation() {
        let o = outcome(
            level("audit", Action::Log),
            Some((
                ValidationType::Authenticity,
                "the signature's certificate chain does not contain any trusted certificate",
            )),
        );
        let r = report(Mode::Flux, Verdict::Verified(0), Some(o.clone()));
        assert_eq!(r.result(), ReportResult::Ignored);
        assert_eq!(r.to_json()["condition"], Value::Null);
        let n = report(Mode::Notation, Verdict::Verified(0), Some(o));
        assert_eq!(n.result(), ReportResult::Verified);
        assert_eq!(
            n.notation_cli_lines().join("\n"),
            format!("Warning: authenticity was set to \"log\" and failed with error: the signature's certificate chain does not contain any trusted certificate\nSuccessfully verified signature for {REF}")
        );
        assert_eq!(n.to_json()["condition"], Value::Null);
    }

    #[test]
    fn failures_render_like_flux_and_notation() {
        let all_failed = VerifyError::AllFailed(vec![
            "failed to verify signature with digest sha256:90ce, boom".into(),
        ]);
        let r = report(Mode::Flux, Verdict::Failed(all_failed.clone()), None);
        let j = r.to_json();
        assert_eq!(j["result"], "failed");
        assert_eq!(j["error"], "signature verification failed\nfailed to verify signature with digest sha256:90ce, boom");
        assert_eq!(j["condition"]["reason"], "VerificationError");
        let n = report(Mode::Notation, Verdict::Failed(all_failed), None);
        assert_eq!(
            n.notation_cli_lines(),
            [format!(
                "Error: signature verification failed for all the signatures associated with {REF}"
            )]
        );
        let n = report(
            Mode::Notation,
            Verdict::Failed(VerifyError::NoSignature(REF.into())),
            None,
        );
        assert_eq!(
            n.notation_cli_lines(),
            [format!("Error: signature verification failed: no signature is associated with \"{REF}\", make sure the artifact was signed successfully")]
        );
        let n = report(
            Mode::Notation,
            Verdict::Failed(VerifyError::InvalidPolicy("trust policy: bad".into())),
            None,
        );
        assert_eq!(n.notation_cli_lines(), ["Error: trust policy: bad"]);
    }

    #[test]
    fn skip_is_ignored_in_flux_and_skipped_in_notation() {
        let r = report(Mode::Flux, Verdict::Skipped, None);
        assert_eq!(r.result(), ReportResult::Ignored);
        let n = report(Mode::Notation, Verdict::Skipped, None);
        assert_eq!(n.result(), ReportResult::Skipped);
        assert_eq!(n.to_json()["result"], "skipped");
        assert_eq!(
            n.notation_cli_lines(),
            [format!(
                "Trust policy is configured to skip signature verification for {REF}"
            )]
        );
    }

    #[test]
    fn registry_failures_are_undecided_and_keep_the_condition_flux_would_set() {
        use crate::verify::outcome::SourceFailure;
        let unreachable = SourceFailure {
            message: "connection refused".into(),
            unavailable: true,
        };
        // Listing failed on the registry: Flux writes SourceVerified=False; undecided here.
        let listed = report(
            Mode::Flux,
            Verdict::Failed(VerifyError::List(unreachable.clone())),
            None,
        );
        assert_eq!(listed.result(), ReportResult::Error);
        let j = listed.to_json();
        assert_eq!(j["result"], "error");
        assert_eq!(j["error"], "connection refused");
        assert_eq!(j["condition"]["status"], "False");
        assert!(listed.to_text().contains("Result:     error"));
        // The same step answering with content that is wrong decides: failed.
        let wrong = report(
            Mode::Flux,
            Verdict::Failed(VerifyError::List(SourceFailure {
                message: "mismatched digest".into(),
                unavailable: false,
            })),
            None,
        );
        assert_eq!(wrong.result(), ReportResult::Failed);
        // No resolution: Flux stops in getRevision and writes no SourceVerified, whatever the cause.
        for unavailable in [true, false] {
            let resolve = VerifyError::Resolve(SourceFailure {
                unavailable,
                ..unreachable.clone()
            });
            for mode in [Mode::Flux, Mode::Notation] {
                let r = report(mode, Verdict::Failed(resolve.clone()), None);
                assert_eq!(r.result(), ReportResult::Error);
                assert_eq!(r.to_json()["condition"], Value::Null);
            }
            let mut r = report(Mode::Flux, Verdict::Failed(resolve), None);
            r.policy = None;
            let text = r.to_text();
            assert!(
                text.contains("SourceVerified is not set (Flux stops before verification"),
                "{text}"
            );
            assert!(text.contains("Policy:     not evaluated"), "{text}");
        }
    }

    #[test]
    fn notation_prints_the_trust_store_error_a_failed_signature_carries() {
        use crate::trust::store::{NotationStoreError, NotationStoreErrorType};
        let store_error =
            |error_type, message: &str, inner: Option<&str>, not_exist| NotationStoreError {
                error_type,
                message: message.into(),
                inner: inner.map(Into::into),
                not_exist,
            };
        let failed = |e: Option<NotationStoreError>| {
            let mut o = outcome(
                level("strict", Action::Enforce),
                Some((ValidationType::Authenticity, "x")),
            );
            o.facts.trust_store_error = e;
            SignatureEntry {
                manifest: Descriptor::default(),
                envelope_media_type: None,
                outcome: Some(o),
            }
        };
        let all_failed = Verdict::Failed(VerifyError::AllFailed(vec!["x".into()]));
        let mut r = report(Mode::Notation, all_failed, None);
        // A certificate error in the first signature, a store error in the second: the CLI
        // looks for a TrustStoreError first.
        r.verification.signatures = vec![
            failed(Some(store_error(
                NotationStoreErrorType::Certificate,
                "failed to read the trusted certificate a.crt in trust store s of type ca",
                Some("x509: malformed certificate"),
                false,
            ))),
            failed(Some(store_error(
                NotationStoreErrorType::TrustStore,
                "the trust store s of type tsa with path /p is not a regular directory (symlinks are not supported)",
                None,
                false,
            ))),
        ];
        assert_eq!(
            r.notation_cli_lines(),
            ["Error: the trust store s of type tsa with path /p is not a regular directory (symlinks are not supported). %!w(<nil>)"]
        );
        r.verification.signatures.truncate(1);
        assert_eq!(
            r.notation_cli_lines(),
            ["Error: failed to read the trusted certificate a.crt in trust store s of type ca. x509: malformed certificate"]
        );
        r.verification.signatures = vec![failed(Some(store_error(
            NotationStoreErrorType::TrustStore,
            "the trust store \"t\" of type \"tsa\" does not exist",
            None,
            true,
        )))];
        assert_eq!(
            r.notation_cli_lines(),
            ["Error: the trust store \"t\" of type \"tsa\" does not exist. Use command 'notation cert add' to create and add trusted certificates to the trust store"]
        );
        // Without a store error, the generic line.
        r.verification.signatures = vec![failed(None)];
        assert_eq!(
            r.notation_cli_lines(),
            [format!(
                "Error: signature verification failed for all the signatures associated with {REF}"
            )]
        );
    }

    #[test]
    fn flux_clean_up_warnings_are_not_prefixed_twice() {
        let mut r = report(Mode::Flux, Verdict::Skipped, None);
        r.warnings = vec!["warning: trust policy statement 's' is set to skip".into()];
        let text = r.to_text();
        assert!(
            text.starts_with("Warning: trust policy statement 's' is set to skip\n"),
            "{text}"
        );
        // JSON keeps Flux's log line as Flux writes it.
        assert_eq!(
            r.to_json()["warnings"][0],
            "warning: trust policy statement 's' is set to skip"
        );
    }

    fn revocation_details() -> Vec<ChainRevocation> {
        use crate::pki::revocation::{
            CertResult, RevocationMethod, RevocationStatus, ServerResult,
        };
        use std::time::Duration;
        let leaf = CertResult {
            subject: "CN=leaf,O=Notary".into(),
            status: RevocationStatus::Ok,
            method: RevocationMethod::OcspFallbackCrl,
            servers: vec![
                ServerResult {
                    server: "http://localhost:10087/ocsp".into(),
                    method: RevocationMethod::Ocsp,
                    status: RevocationStatus::Unknown,
                    error: Some("OCSP responder unavailable".into()),
                    duration: Duration::from_millis(12),
                },
                ServerResult {
                    server: "http://localhost:10086/leaf.crl".into(),
                    method: RevocationMethod::Crl,
                    status: RevocationStatus::Ok,
                    error: None,
                    duration: Duration::from_millis(30),
                },
            ],
            duration: Duration::from_millis(42),
        };
        // As the validator records a certificate without revocation information: one entry
        // with no server.
        let root = CertResult {
            subject: "CN=root".into(),
            status: RevocationStatus::NonRevokable,
            method: RevocationMethod::Unknown,
            servers: vec![ServerResult {
                server: String::new(),
                method: RevocationMethod::Unknown,
                status: RevocationStatus::NonRevokable,
                error: None,
                duration: Duration::ZERO,
            }],
            duration: Duration::ZERO,
        };
        vec![
            ChainRevocation {
                purpose: Purpose::CodeSigning,
                mode: RevocationMode::OcspWithCrlFallback,
                certificates: vec![leaf, root],
                error: None,
            },
            ChainRevocation {
                purpose: Purpose::Timestamping,
                mode: RevocationMode::OcspWithCrlFallback,
                certificates: Vec::new(),
                error: Some("invalid chain".into()),
            },
        ]
    }

    #[test]
    fn revocation_details_render_per_certificate_in_text_and_json() {
        let mut o = outcome(level("strict", Action::Enforce), None);
        o.facts.revocation = revocation_details();
        let r = report(Mode::Flux, Verdict::Verified(0), Some(o));
        let text = r.to_text();
        assert!(text.contains("Revocation: OCSP, CRL fallback\n"), "{text}");
        let revocation_line = text
            .lines()
            .position(|l| l.contains("] revocation "))
            .unwrap();
        let lines: Vec<&str> = text.lines().skip(revocation_line + 1).take(3).collect();
        assert_eq!(
            lines,
            [
                "         signing \"CN=leaf,O=Notary\": OK by OCSPFallbackCRL, OCSP http://localhost:10087/ocsp Unknown: OCSP responder unavailable (12 ms); CRL http://localhost:10086/leaf.crl OK (30 ms), 42 ms",
                "         signing \"CN=root\": not revocable (NonRevokable): the certificate names no OCSP responder and no CRL distribution point, so there is nothing to ask",
                "         timestamping chain (OCSP, CRL fallback): not checked: invalid chain",
            ]
        );

        let j = r.to_json();
        assert_eq!(j["signatures"][0]["revocationMode"], "OCSP, CRL fallback");
        let entries = &j["signatures"][0]["revocation"];
        assert_eq!(entries.as_array().map(Vec::len), Some(3));
        assert_eq!(entries[0]["chain"], "signing");
        assert_eq!(entries[0]["subject"], "CN=leaf,O=Notary");
        assert_eq!(entries[0]["status"], "OK");
        assert_eq!(entries[0]["method"], "OCSPFallbackCRL");
        assert_eq!(entries[0]["durationMs"], 42);
        assert_eq!(
            entries[0]["servers"][0]["url"],
            "http://localhost:10087/ocsp"
        );
        assert_eq!(entries[0]["servers"][0]["result"], "Unknown");
        assert_eq!(
            entries[0]["servers"][0]["error"],
            "OCSP responder unavailable"
        );
        assert_eq!(
            entries[0]["servers"][1]["url"],
            "http://localhost:10086/leaf.crl"
        );
        assert_eq!(entries[0]["servers"][1]["durationMs"], 30);
        assert_eq!(entries[1]["status"], "NonRevokable");
        // "no server asked" in the text is an empty list here, not an entry without a URL.
        assert_eq!(entries[1]["servers"], json!([]));
        assert_eq!(entries[2]["chain"], "timestamping");
        assert_eq!(entries[2]["error"], "invalid chain");
        // Untried signatures carry an empty list.
        assert_eq!(j["signatures"][1]["revocation"], json!([]));
    }

    #[test]
    fn revocation_mode_follows_the_flux_version() {
        let mut r = report(Mode::Flux, Verdict::Skipped, None);
        r.flux_version = FluxVersion::V1_4;
        assert_eq!(r.to_json()["signatures"][0]["revocationMode"], "OCSP");
        assert!(r.to_text().contains("Revocation: OCSP\n"));
        r.flux_version = FluxVersion::V1_5;
        assert_eq!(
            r.to_json()["signatures"][1]["revocationMode"],
            "OCSP, CRL fallback"
        );
        let mut n = report(Mode::Notation, Verdict::Skipped, None);
        n.flux_version = FluxVersion::V1_3;
        assert_eq!(
            n.to_json()["signatures"][0]["revocationMode"],
            "OCSP, CRL fallback"
        );
    }
}
