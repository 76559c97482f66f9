//! One verification end to end over any source: tag resolution (as Flux's `getRevision` and
//! notation's CLI do), the signature loop, and the report.

use super::outcome::{Verification, VerifyError};
use super::signature::{SignatureOptions, Stages, StatementView, Verifier};
use super::signatures::{verify_artifact, LoopOptions};
use super::Mode;
use crate::flux::outcome::FluxVersion;
use crate::report::verify::{PolicySummary, VerifyReport};
use crate::source::SignatureSource;
use chrono::{DateTime, Utc};

/// What to verify and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyRequest {
    /// Flux or notation.
    pub mode: Mode,
    /// source-controller version (flux mode).
    pub flux_version: FluxVersion,
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

/// Why verification could not start (the CLI's exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The tag could not be resolved.
    #[error("failed to resolve {reference}: {error}")]
    Resolve {
        /// The reference.
        reference: String,
        /// The source's error.
        error: String,
    },
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

/// Runs one verification and builds its report. `stages` is the error instead when the trust
/// material or policy was rejected; the report then carries that error as Flux would.
pub async fn verify<S, St>(
    source: &S,
    stages: Result<St, VerifyError>,
    options: SignatureOptions,
    request: VerifyRequest,
    now: DateTime<Utc>,
) -> Result<VerifyReport, RunError>
where
    S: SignatureSource,
    St: Stages,
{
    let mut warnings = request.warnings.clone();
    let (digest, tag) = if request.wanted.contains(':') {
        (request.wanted.clone(), None)
    } else {
        let artifact = source
            .resolve(&request.wanted)
            .await
            .map_err(|e| RunError::Resolve {
                reference: request.reference.clone(),
                error: e.to_string(),
            })?;
        warnings.push(format!(
            "Always verify the artifact using digest(@sha256:...) rather than a tag(:{}) because resolved digest may not point to the same signed artifact, as tags are mutable.",
            request.wanted
        ));
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
            return Ok(VerifyReport {
                mode: request.mode,
                flux_version: request.flux_version,
                reference: request.reference,
                revision,
                policy: None,
                verification: Verification::failed_early(artifact_reference, error),
                warnings,
            })
        }
    };
    let policy = stages
        .applicable_statement(&artifact_reference)
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
    Ok(VerifyReport {
        mode: request.mode,
        flux_version: request.flux_version,
        reference: request.reference,
        revision,
        policy,
        verification,
        warnings,
    })
}
