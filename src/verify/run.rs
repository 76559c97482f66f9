//! One verification end to end over any source: tag resolution (as Flux's `getRevision` and
//! notation's CLI do), the signature loop, and what it found ([`RunOutcome`], which `report`
//! renders).

use super::outcome::{PolicySummary, SourceFailure, Verification, VerifyError};
use super::signature::{SignatureOptions, Stages, StatementView, Verifier};
use super::signatures::{verify_artifact, LoopOptions};
use crate::source::{SignatureSource, SourceError as _};
use chrono::{DateTime, Utc};

/// What to verify and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyRequest {
    /// The reference as the user gave it (for reports).
    pub reference: String,
    /// `registry/repository` (normalised as the mode requires), without tag or digest.
    pub repository: String,
    /// The tag or `sha256:` digest to verify.
    pub wanted: String,
    /// `MaxSignatureAttempts`.
    pub max_signatures: usize,
    /// Warnings gathered before verification (policy clean-up, normalisation, ...).
    pub warnings: Vec<String>,
}

/// What one verification found, before any rendering.
#[derive(Debug, Clone)]
pub struct RunOutcome {
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

/// The statement summary for reports: which scope matched.
pub fn policy_summary(statement: &StatementView, repository: &str) -> PolicySummary {
    let scope = if statement.registry_scopes.iter().any(|s| s == repository) {
        repository.to_string()
    } else {
        "*".to_string()
    };
    PolicySummary {
        name: statement.name.clone(),
        scope,
        level: statement.level.clone(),
    }
}

/// Logs which trust policy statement applies to `artifact_reference`, and why: the registry
/// scope it matched (the repository itself, or the `*` wildcard).
fn log_statement(artifact_reference: &str, statement: &Result<StatementView, String>) {
    let repository = artifact_reference
        .rsplit_once('@')
        .map_or(artifact_reference, |(r, _)| r);
    match statement {
        Ok(statement) => {
            let summary = policy_summary(statement, repository);
            tracing::info!(target: "fluxverify::verify",
                artifact = %artifact_reference,
                statement = %summary.name,
                matched_scope = %summary.scope,
                level = %statement.level.name,
                "trust policy statement applies"
            );
        }
        Err(reason) => tracing::info!(target: "fluxverify::verify",
            artifact = %artifact_reference,
            %reason,
            "no trust policy statement applies"
        ),
    }
}

/// Runs one verification. `stages` is the error instead when the trust
/// material or policy was rejected; the report then carries that error as Flux would.
pub async fn verify<S, St>(
    source: &S,
    stages: Result<St, VerifyError>,
    options: SignatureOptions,
    request: VerifyRequest,
    now: DateTime<Utc>,
) -> RunOutcome
where
    S: SignatureSource,
    St: Stages,
{
    let mut warnings = request.warnings.clone();
    let (digest, tag) = if request.wanted.contains(':') {
        (request.wanted.clone(), None)
    } else {
        let artifact = match source.resolve(&request.wanted).await {
            Ok(artifact) => artifact,
            Err(e) => {
                // Flux's getRevision fails before any verification: nothing else is read.
                let error = VerifyError::Resolve(SourceFailure {
                    message: format!("failed to resolve {}: {e}", request.reference),
                    unavailable: e.is_unavailable(),
                });
                return RunOutcome {
                    revision: String::new(),
                    policy: None,
                    verification: Verification::failed_early(
                        format!("{}:{}", request.repository, request.wanted),
                        error,
                    ),
                    warnings,
                    envelope_digest: None,
                    reference: request.reference,
                };
            }
        };
        tracing::info!(target: "fluxverify::verify",
            reference = %request.reference,
            tag = %request.wanted,
            digest = %artifact.digest,
            "resolved tag"
        );
        // The notation CLI's warning (`cmd/notation/verify.go`); Flux resolves tags by design
        // and says nothing, so flux mode does not either.
        if options.mode == crate::settings::Mode::Notation {
            warnings.push(format!(
                "Always verify the artifact using digest(@sha256:...) rather than a tag(:{}) because resolved digest may not point to the same signed artifact, as tags are mutable.",
                request.wanted
            ));
        }
        (artifact.digest, Some(request.wanted.clone()))
    };
    let artifact_reference = format!("{}@{digest}", request.repository);
    let revision = match &tag {
        Some(tag) => format!("{tag}@{digest}"),
        None => digest.clone(),
    };
    let stages = match stages {
        Ok(stages) => stages,
        Err(error) => {
            return RunOutcome {
                reference: request.reference,
                revision,
                policy: None,
                verification: Verification::failed_early(artifact_reference, error),
                warnings,
                envelope_digest: None,
            }
        }
    };
    let statement = stages.applicable_statement(&artifact_reference);
    log_statement(&artifact_reference, &statement);
    let policy = statement
        .ok()
        .map(|s| policy_summary(&s, &request.repository));
    let verifier = Verifier {
        stages,
        options,
        now,
    };
    let loop_options = LoopOptions {
        artifact_reference,
        max_signatures: request.max_signatures,
    };
    let verification = verify_artifact(source, &verifier, &loop_options).await;
    RunOutcome {
        reference: request.reference,
        revision,
        policy,
        verification,
        warnings,
        envelope_digest: None,
    }
}

/// What `envelope verify` checks: one envelope file against the artifact it should sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeRequest {
    /// `registry/repository@sha256:...`, matched against registry scopes.
    pub artifact_reference: String,
    /// The signed artifact's descriptor.
    pub artifact: crate::source::Descriptor,
    /// The envelope's media type.
    pub media_type: String,
    /// Warnings gathered before verification.
    pub warnings: Vec<String>,
}

/// notation-go's `verifier.Verify` on one envelope. The report has one signature; its top-level
/// error is that signature's own error text, and Flux's result is what `checkOutcome` makes of
/// that single outcome.
pub fn verify_envelope<St: Stages>(
    stages: Result<St, VerifyError>,
    options: SignatureOptions,
    request: EnvelopeRequest,
    blob: &[u8],
    now: DateTime<Utc>,
) -> RunOutcome {
    use super::outcome::{SignatureEntry, Verdict};
    use super::signatures::SignatureVerifier as _;
    let digest = request.artifact.digest.clone();
    let repository = request
        .artifact_reference
        .rsplit_once('@')
        .map_or(request.artifact_reference.as_str(), |(r, _)| r)
        .to_string();
    let envelope = crate::source::Descriptor {
        media_type: request.media_type.clone(),
        digest: format!(
            "sha256:{}",
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(blob))
        ),
        size: blob.len() as u64,
        ..crate::source::Descriptor::default()
    };
    let mut report = RunOutcome {
        reference: request.artifact_reference.clone(),
        revision: digest.clone(),
        policy: None,
        verification: Verification {
            artifact_reference: request.artifact_reference.clone(),
            artifact: Some(request.artifact.clone()),
            level: None,
            signatures: Vec::new(),
            verdict: super::outcome::Verdict::Skipped,
        },
        warnings: request.warnings.clone(),
        envelope_digest: Some(envelope.digest.clone()),
    };
    let stages = match stages {
        Ok(stages) => stages,
        Err(error) => {
            report.verification.verdict = Verdict::Failed(error);
            return report;
        }
    };
    let statement = stages.applicable_statement(&request.artifact_reference);
    log_statement(&request.artifact_reference, &statement);
    let statement = match statement {
        Ok(statement) => statement,
        Err(message) => {
            report.verification.verdict = Verdict::Failed(VerifyError::NoApplicablePolicy(message));
            return report;
        }
    };
    report.policy = Some(policy_summary(&statement, &repository));
    report.verification.level = Some(statement.level.clone());
    if statement.level.is_skip() {
        return report;
    }
    let verifier = Verifier {
        stages,
        options,
        now,
    };
    let fetched = crate::source::FetchedSignature {
        manifest: crate::source::Descriptor::default(),
        envelope,
        blob: blob.to_vec(),
    };
    let outcome = verifier.verify(&request.artifact, &fetched, &request.artifact_reference);
    report.verification.verdict = match &outcome.error {
        None => Verdict::Verified(0),
        Some(error) => Verdict::Failed(VerifyError::Signature(error.to_string())),
    };
    report.verification.signatures.push(SignatureEntry {
        manifest: fetched.envelope.clone(),
        envelope_media_type: Some(request.media_type),
        outcome: Some(outcome),
    });
    report
}
