//! What verification found: one [`ValidationResult`] per validation that ran, one
//! [`SignatureOutcome`] per signature tried, and the [`Verification`] of the artifact.
//!
//! The shapes follow notation-go's `VerificationOutcome` and `ValidationResult`, with one
//! addition: a validation can be *not checked* (its stage is not available in this build).
//! notation has no such state; fluxverify records it so that a report never claims a check
//! passed when it did not run, and an enforced not-checked validation fails the signature.

use super::{Action, ValidationType};
use crate::source::Descriptor;
use std::fmt;

/// Why one validation failed. The text is notation-go's message for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// Envelope parse, signature, structure or payload content type.
    #[error("{0}")]
    Integrity(String),
    /// Trust store loading or no trusted certificate in the chain.
    #[error("{0}")]
    Authenticity(String),
    /// The leaf does not match the trusted identities (replaces the authenticity error).
    #[error("{0}")]
    TrustedIdentity(String),
    /// The envelope's expiry has passed.
    #[error("{0}")]
    Expiry(String),
    /// Certificate validity or the RFC 3161 countersignature.
    #[error("{0}")]
    AuthenticTimestamp(String),
    /// A certificate is revoked or its status is unknown.
    #[error("{0}")]
    Revocation(String),
    /// The validation could not run in this build; it never counts as passed.
    #[error("{validation} was not checked: {reason}")]
    NotChecked {
        /// The validation that did not run.
        validation: ValidationType,
        /// Why.
        reason: String,
    },
}

impl ValidationError {
    /// Whether this is the not-checked state rather than a failure the stage found.
    pub fn is_not_checked(&self) -> bool {
        matches!(self, Self::NotChecked { .. })
    }
}

/// The result of one validation, as notation-go records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationResult {
    /// Which validation.
    pub validation: ValidationType,
    /// The action the level gives it.
    pub action: Action,
    /// `None` when it passed.
    pub error: Option<ValidationError>,
}

impl ValidationResult {
    /// Whether this result stops the signature (notation-go `isCriticalFailure`).
    pub fn is_critical(&self) -> bool {
        self.action == Action::Enforce && self.error.is_some()
    }
}

/// Why one signature failed, as notation-go's `verifier.Verify` returns it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// An enforced validation failed.
    #[error("{0}")]
    Validation(ValidationError),
    /// The signature names a verification plugin that cannot be used.
    #[error("{0}")]
    Plugin(String),
    /// The signed payload is not a valid payload document.
    #[error("{0}")]
    Payload(String),
    /// The payload's target artifact is not the artifact being verified.
    #[error("content descriptor mismatch")]
    PayloadMismatch,
    /// No trust policy statement applies (cannot happen after `SkipVerify` chose one).
    #[error("{0}")]
    Policy(String),
    /// Required user metadata is missing from the payload (notation mode).
    #[error("unable to find specified metadata in the signature")]
    UserMetadata,
}

/// The actions of a verification level, as a value for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelActions {
    /// `strict`, `permissive`, `audit`, `skip` or `custom`.
    pub name: String,
    /// Action per validation type, in notation's order.
    pub actions: [(ValidationType, Action); 5],
}

impl LevelActions {
    /// The action for one validation type.
    pub fn action(&self, validation: ValidationType) -> Action {
        self.actions
            .iter()
            .find(|(t, _)| *t == validation)
            .map_or(Action::Enforce, |(_, a)| *a)
    }

    /// Whether this is the `skip` level.
    pub fn is_skip(&self) -> bool {
        self.name == "skip"
    }
}

/// Facts about the envelope worth showing next to its results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignatureFacts {
    /// `notary.x509` or `notary.x509.signingAuthority`.
    pub signing_scheme: Option<String>,
    /// Subject of the leaf certificate (Go `pkix.Name.String()` form).
    pub signer: Option<String>,
    /// The payload's target artifact.
    pub target: Option<Descriptor>,
    /// The revocation checks that ran, per chain (signing chain first, then the TSA chain of a
    /// verified countersignature), with each certificate's deciding method and servers asked.
    pub revocation: Vec<crate::pki::revocation::ChainRevocation>,
    /// The trust store error that failed this signature (enforced authenticity or authentic
    /// timestamp), as notation-go's error value carries it: the notation CLI prints it instead
    /// of its generic line.
    pub trust_store_error: Option<crate::trust::store::NotationStoreError>,
    /// Set when authenticity found none of the trusted certificates in the signing chain.
    pub untrusted_chain: Option<UntrustedChain>,
}

/// A signing chain without a trusted certificate, and what the trust store held instead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UntrustedChain {
    /// Subject of the chain's last certificate (its root, when the chain is complete).
    pub root_subject: String,
    /// SHA-256 fingerprint of that certificate's DER, lower-case hex.
    pub root_sha256: String,
    /// Subjects of the trusted certificates that were compared, in store order.
    pub trusted_subjects: Vec<String>,
}

/// What happened to one signature (notation-go `VerificationOutcome`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureOutcome {
    /// The level it was verified under.
    pub level: LevelActions,
    /// Results of the validations that ran, in order.
    pub results: Vec<ValidationResult>,
    /// The error `verifier.Verify` returned for it; `None` when it verified.
    pub error: Option<SignatureError>,
    /// Envelope facts, when the envelope could be read.
    pub facts: SignatureFacts,
}

impl SignatureOutcome {
    /// Whether the signature verified.
    pub fn verified(&self) -> bool {
        self.error.is_none()
    }

    /// Failed results whose action is `log` (notation prints them as warnings).
    pub fn logged_failures(&self) -> impl Iterator<Item = &ValidationResult> {
        self.results
            .iter()
            .filter(|r| r.action == Action::Log && r.error.is_some())
    }
}

/// One signature manifest the source listed, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureEntry {
    /// Descriptor of the signature manifest.
    pub manifest: Descriptor,
    /// Envelope media type (the manifest layer's), once fetched.
    pub envelope_media_type: Option<String>,
    /// The outcome, when the signature was tried.
    pub outcome: Option<SignatureOutcome>,
}

/// Per-signature status in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureStatus {
    /// This signature verified.
    Verified,
    /// It was tried and failed.
    Failed,
    /// Past the signature limit, after the first success, or verification stopped earlier.
    NotTried,
}

impl SignatureEntry {
    /// The entry's status.
    pub fn status(&self) -> SignatureStatus {
        match &self.outcome {
            Some(o) if o.verified() => SignatureStatus::Verified,
            Some(_) => SignatureStatus::Failed,
            None => SignatureStatus::NotTried,
        }
    }
}

impl fmt::Display for SignatureStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Verified => "verified",
            Self::Failed => "failed",
            Self::NotTried => "notTried",
        })
    }
}

/// Why verification of the artifact failed, as `notation.Verify` words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The trust policy document is invalid (found while loading it, before verification).
    #[error("{0}")]
    InvalidPolicy(String),
    /// No trust policy statement applies to the artifact (`SkipVerify`).
    #[error("{0}")]
    NoApplicablePolicy(String),
    /// The trust material (Secret, certificates) could not be used.
    #[error("{0}")]
    TrustMaterial(String),
    /// `MaxSignatureAttempts <= 0`.
    #[error("verifyOptions.MaxSignatureAttempts expects a positive number, got {0}")]
    MaxAttempts(i64),
    /// The reference has neither tag nor digest.
    #[error("reference is missing digest or tag")]
    MissingReference,
    /// The artifact could not be resolved (Flux stops here, in `getRevision`, before it
    /// verifies anything).
    #[error("{0}")]
    Resolve(SourceFailure),
    /// notation-go's own `repo.Resolve` inside `notation.Verify` failed (it returns the
    /// registry's error as `ErrorSignatureRetrievalFailed`). For a digest reference this is the
    /// first request Flux sends (`getRevision` sends none for a digest), so Flux writes
    /// `SourceVerified=False` with it: a definite failure for a digest the registry does not
    /// have, undecided for a registry that did not answer.
    #[error("{0}")]
    ArtifactResolve(SourceFailure),
    /// The digest asked for is not the one resolved.
    #[error("user input digest {input} does not match the resolved digest {resolved}")]
    DigestMismatch {
        /// Digest in the reference.
        input: String,
        /// Digest the source returned.
        resolved: String,
    },
    /// Listing the signatures failed.
    #[error("{0}")]
    List(SourceFailure),
    /// A signature manifest or envelope could not be fetched: aborts the whole verification.
    #[error("unable to retrieve digital signature with digest {digest:?} associated with {reference:?} from the Repository, error : {error}")]
    Retrieval {
        /// Digest of the signature manifest.
        digest: String,
        /// The artifact reference.
        reference: String,
        /// The source's error.
        error: SourceFailure,
    },
    /// No signature refers to the artifact.
    #[error(
        "no signature is associated with {0:?}, make sure the artifact was signed successfully"
    )]
    NoSignature(String),
    /// The signature limit was reached without a verified signature.
    #[error("signature evaluation stopped. The configured limit of {0} signatures to verify per artifact exceeded")]
    LimitExceeded(usize),
    /// The single signature of `envelope verify` failed (its own error text).
    #[error("{0}")]
    Signature(String),
    /// Every signature tried failed; `errors.Join` of each one's error.
    #[error("signature verification failed{}", join_lines(.0))]
    AllFailed(Vec<String>),
}

/// A source error as verification keeps it: its text, and whether the source could not be
/// read at all ([`crate::source::SourceError::is_unavailable`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFailure {
    /// The source's error text.
    pub message: String,
    /// The registry (or layout) could not be read: nothing was learnt about the signatures.
    pub unavailable: bool,
}

impl SourceFailure {
    /// Keeps `error`'s text and classification.
    pub fn of<E: crate::source::SourceError>(error: &E) -> Self {
        Self {
            message: error.to_string(),
            unavailable: error.is_unavailable(),
        }
    }
}

impl fmt::Display for SourceFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl VerifyError {
    /// Whether the verification could not decide: the artifact could not be resolved (no
    /// verification starts), or the source could not be read while listing or fetching. The
    /// signatures are then neither good nor bad; the CLI exits 2.
    pub fn is_undecided(&self) -> bool {
        match self {
            Self::Resolve(_) => true,
            Self::ArtifactResolve(failure)
            | Self::List(failure)
            | Self::Retrieval { error: failure, .. } => failure.unavailable,
            _ => false,
        }
    }

    /// Whether notation's CLI classes this as a `VerificationFailedError` (it then prints the
    /// generic "failed for all the signatures" line instead of the error).
    pub fn is_verification_failed(&self) -> bool {
        matches!(self, Self::LimitExceeded(_) | Self::AllFailed(_))
    }
}

fn join_lines(errors: &[String]) -> String {
    errors.iter().map(|e| format!("\n{e}")).collect()
}

/// The verdict of `notation.Verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The signature at this index of [`Verification::signatures`] verified.
    Verified(usize),
    /// The applicable statement's level is `skip`: nothing was read.
    Skipped,
    /// Verification failed.
    Failed(VerifyError),
}

/// Everything one verification of an artifact found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The artifact reference the policy was matched against (`registry/repo@sha256:...`).
    pub artifact_reference: String,
    /// The artifact's descriptor, once resolved.
    pub artifact: Option<Descriptor>,
    /// The applicable statement's level, once selected.
    pub level: Option<LevelActions>,
    /// Every signature manifest listed, in source order.
    pub signatures: Vec<SignatureEntry>,
    /// The verdict.
    pub verdict: Verdict,
}

impl Verification {
    /// A verification that failed before any signature was looked at.
    pub fn failed_early(artifact_reference: impl Into<String>, error: VerifyError) -> Self {
        Self {
            artifact_reference: artifact_reference.into(),
            artifact: None,
            level: None,
            signatures: Vec::new(),
            verdict: Verdict::Failed(error),
        }
    }

    /// The verified signature's outcome, if one verified.
    pub fn verified_outcome(&self) -> Option<&SignatureOutcome> {
        match self.verdict {
            Verdict::Verified(i) => self.signatures.get(i).and_then(|s| s.outcome.as_ref()),
            _ => None,
        }
    }

    /// The error, if verification failed.
    pub fn error(&self) -> Option<&VerifyError> {
        match &self.verdict {
            Verdict::Failed(e) => Some(e),
            _ => None,
        }
    }
}

/// The statement that applied: its name, the scope that matched and its level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySummary {
    /// Statement name.
    pub name: String,
    /// The registry scope that matched (`*` for the wildcard statement).
    pub scope: String,
    /// Its level and actions.
    pub level: LevelActions,
}
