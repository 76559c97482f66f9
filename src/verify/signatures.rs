//! The signature loop of notation-go's `notation.Verify`: skip check, resolve, list, and try
//! each signature in source order until one verifies or the limit is reached.

use super::outcome::{
    LevelActions, SignatureEntry, SignatureOutcome, SourceFailure, Verdict, Verification,
    VerifyError,
};
use crate::source::{Descriptor, FetchedSignature, SignatureSource};

/// How many signatures Flux's source-controller evaluates (`MaxSignatureAttempts: 3`).
pub const FLUX_MAX_SIGNATURES: usize = 3;
/// The notation CLI's default `--max-signatures`.
pub const NOTATION_DEFAULT_MAX_SIGNATURES: usize = 100;

/// Decides, per artifact and per signature, what notation-go's verifier decides.
pub trait SignatureVerifier {
    /// `SkipVerify`: the level of the statement that applies to `artifact_reference`, or why
    /// none does. Called before the source is touched.
    fn level(&self, artifact_reference: &str) -> Result<LevelActions, VerifyError>;

    /// `verifier.Verify` for one fetched signature of `artifact`.
    fn verify(
        &self,
        artifact: &Descriptor,
        signature: &FetchedSignature,
        artifact_reference: &str,
    ) -> SignatureOutcome;
}

/// What the loop needs besides the source and the verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopOptions {
    /// `registry/repository@sha256:...` (or `:tag`), matched against registry scopes.
    pub artifact_reference: String,
    /// `MaxSignatureAttempts`.
    pub max_signatures: usize,
}

/// The tag or digest part of a reference (`oras ParseReference(...).Reference`).
fn reference_part(artifact_reference: &str) -> Option<&str> {
    if let Some((_, digest)) = artifact_reference.rsplit_once('@') {
        return Some(digest).filter(|d| !d.is_empty());
    }
    let last_segment = artifact_reference.rsplit('/').next()?;
    let (_, tag) = last_segment.rsplit_once(':')?;
    Some(tag).filter(|t| !t.is_empty())
}

/// Runs `notation.Verify` over `source`.
pub async fn verify_artifact<S, V>(source: &S, verifier: &V, options: &LoopOptions) -> Verification
where
    S: SignatureSource,
    V: SignatureVerifier,
{
    let reference = options.artifact_reference.clone();
    // SkipVerify: the policy decides before any source access.
    let level = match verifier.level(&reference) {
        Ok(level) => level,
        Err(error) => return Verification::failed_early(reference, error),
    };
    let mut verification = Verification {
        artifact_reference: reference.clone(),
        artifact: None,
        level: Some(level.clone()),
        signatures: Vec::new(),
        verdict: Verdict::Skipped,
    };
    if level.is_skip() {
        return verification;
    }
    let fail = |mut v: Verification, e: VerifyError| {
        v.verdict = Verdict::Failed(e);
        v
    };
    if options.max_signatures == 0 {
        return fail(verification, VerifyError::MaxAttempts(0));
    }
    let Some(wanted) = reference_part(&reference) else {
        return fail(verification, VerifyError::MissingReference);
    };
    let artifact = match source.resolve(wanted).await {
        Ok(artifact) => artifact,
        Err(e) => {
            let error = VerifyError::ArtifactResolve(SourceFailure::of(&e));
            return fail(verification, error);
        }
    };
    if wanted.contains(':') && artifact.digest != wanted {
        let error = VerifyError::DigestMismatch {
            input: wanted.to_string(),
            resolved: artifact.digest.clone(),
        };
        return fail(verification, error);
    }
    verification.artifact = Some(artifact.clone());

    let pages = match source
        .list_signatures(&artifact, options.max_signatures)
        .await
    {
        Ok(pages) => pages,
        Err(e) => return fail(verification, VerifyError::List(SourceFailure::of(&e))),
    };
    verification.signatures = pages
        .iter()
        .flatten()
        .map(|manifest| SignatureEntry {
            manifest: manifest.clone(),
            envelope_media_type: None,
            outcome: None,
        })
        .collect();

    let mut processed = 0usize;
    let mut position = 0usize;
    let mut errors = Vec::new();
    for page in &pages {
        let page_start = position;
        position += page.len();
        for (offset, manifest) in page.iter().enumerate() {
            if processed >= options.max_signatures {
                break;
            }
            processed += 1;
            let index = page_start + offset;
            let fetched = match source.fetch_signature(manifest).await {
                Ok(fetched) => fetched,
                Err(e) => {
                    let error = VerifyError::Retrieval {
                        digest: manifest.digest.clone(),
                        reference: reference.clone(),
                        error: SourceFailure::of(&e),
                    };
                    return fail(verification, error);
                }
            };
            // Synchronous (revocation checks included): a run's time limit that passes during
            // it is reported as having expired here.
            let step = crate::inflight::step("signature verification");
            let outcome = verifier.verify(&artifact, &fetched, &reference);
            drop(step);
            let verified = outcome.verified();
            if let Some(error) = &outcome.error {
                errors.push(format!(
                    "failed to verify signature with digest {}, {error}",
                    manifest.digest
                ));
            }
            if let Some(entry) = verification.signatures.get_mut(index) {
                entry.envelope_media_type = Some(fetched.envelope.media_type.clone());
                entry.outcome = Some(outcome);
            }
            if verified {
                verification.verdict = Verdict::Verified(index);
                return verification;
            }
        }
        // notation-go checks the limit after each page, so it also fires when exactly
        // `max` signatures were listed and all of them failed.
        if processed >= options.max_signatures {
            return fail(
                verification,
                VerifyError::LimitExceeded(options.max_signatures),
            );
        }
    }
    if processed == 0 {
        return fail(verification, VerifyError::NoSignature(reference));
    }
    fail(verification, VerifyError::AllFailed(errors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::outcome::{SignatureError, SignatureFacts, ValidationError};
    use crate::verify::{Action, ValidationType};
    use std::cell::RefCell;

    const DIGEST: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    #[derive(Debug, thiserror::Error)]
    #[error("fake: {0}")]
    struct FakeError(String);

    impl crate::source::SourceError for FakeError {
        fn is_unavailable(&self) -> bool {
            self.0.contains("unavailable")
        }
    }

    /// A source whose signatures are named `good*`, `bad*` or `broken*`.
    struct FakeSource {
        pages: Vec<Vec<&'static str>>,
        touched: RefCell<Vec<String>>,
    }

    fn desc(digest: &str) -> Descriptor {
        Descriptor {
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            digest: digest.into(),
            size: 1,
            ..Descriptor::default()
        }
    }

    impl SignatureSource for FakeSource {
        type Error = FakeError;
        async fn resolve(&self, reference: &str) -> Result<Descriptor, FakeError> {
            self.touched
                .borrow_mut()
                .push(format!("resolve {reference}"));
            Ok(desc(DIGEST))
        }
        async fn list_signatures(
            &self,
            _artifact: &Descriptor,
            _max: usize,
        ) -> Result<Vec<Vec<Descriptor>>, FakeError> {
            self.touched.borrow_mut().push("list".into());
            Ok(self
                .pages
                .iter()
                .map(|p| p.iter().map(|d| desc(d)).collect())
                .collect())
        }
        async fn fetch_signature(&self, m: &Descriptor) -> Result<FetchedSignature, FakeError> {
            self.touched
                .borrow_mut()
                .push(format!("fetch {}", m.digest));
            if m.digest.starts_with("broken") {
                return Err(FakeError("gone".into()));
            }
            Ok(FetchedSignature {
                manifest: m.clone(),
                envelope: Descriptor {
                    media_type: "application/jose+json".into(),
                    ..desc(&m.digest)
                },
                blob: m.digest.as_bytes().to_vec(),
            })
        }
    }

    fn level(name: &str) -> LevelActions {
        let a = if name == "skip" {
            Action::Skip
        } else {
            Action::Enforce
        };
        LevelActions {
            name: name.into(),
            actions: [
                (ValidationType::Integrity, a),
                (ValidationType::Authenticity, a),
                (ValidationType::AuthenticTimestamp, a),
                (ValidationType::Expiry, a),
                (ValidationType::Revocation, a),
            ],
        }
    }

    struct FakeVerifier(&'static str);

    impl SignatureVerifier for FakeVerifier {
        fn level(&self, _r: &str) -> Result<LevelActions, VerifyError> {
            if self.0 == "none" {
                return Err(VerifyError::NoApplicablePolicy("no policy".into()));
            }
            Ok(level(self.0))
        }
        fn verify(&self, _a: &Descriptor, s: &FetchedSignature, _r: &str) -> SignatureOutcome {
            let good = s.blob.starts_with(b"good");
            SignatureOutcome {
                level: level(self.0),
                results: Vec::new(),
                error: (!good).then(|| {
                    SignatureError::Validation(ValidationError::Authenticity(format!(
                        "untrusted {}",
                        s.manifest.digest
                    )))
                }),
                facts: SignatureFacts::default(),
            }
        }
    }

    fn run(
        pages: Vec<Vec<&'static str>>,
        level: &'static str,
        max: usize,
    ) -> (Verification, Vec<String>) {
        let source = FakeSource {
            pages,
            touched: RefCell::new(Vec::new()),
        };
        let options = LoopOptions {
            artifact_reference: format!("reg.example/app@{DIGEST}"),
            max_signatures: max,
        };
        let v =
            futures::executor::block_on(verify_artifact(&source, &FakeVerifier(level), &options));
        (v, source.touched.into_inner())
    }

    #[test]
    fn first_success_wins_and_later_signatures_are_not_tried() {
        let (v, touched) = run(vec![vec!["bad1", "good1", "good2"]], "strict", 3);
        assert_eq!(v.verdict, Verdict::Verified(1));
        assert!(v.signatures[2].outcome.is_none());
        assert!(!touched.contains(&"fetch good2".to_string()));
    }

    #[test]
    fn skip_level_touches_nothing() {
        let (v, touched) = run(vec![vec!["bad1"]], "skip", 3);
        assert_eq!(v.verdict, Verdict::Skipped);
        assert!(touched.is_empty());
    }

    #[test]
    fn policy_error_comes_before_source_access() {
        let (v, touched) = run(vec![vec!["good1"]], "none", 3);
        assert_eq!(
            v.error(),
            Some(&VerifyError::NoApplicablePolicy("no policy".into()))
        );
        assert!(touched.is_empty());
    }

    #[test]
    fn failures_are_joined_in_order() {
        let (v, _) = run(vec![vec!["bad1", "bad2"]], "strict", 3);
        assert_eq!(
            v.error().map(ToString::to_string).as_deref(),
            Some(
                "signature verification failed\nfailed to verify signature with digest bad1, untrusted bad1\nfailed to verify signature with digest bad2, untrusted bad2"
            )
        );
    }

    #[test]
    fn exactly_max_failures_report_the_limit() {
        let (v, _) = run(vec![vec!["bad1", "bad2", "bad3"]], "strict", 3);
        assert_eq!(
            v.error().map(ToString::to_string).as_deref(),
            Some("signature evaluation stopped. The configured limit of 3 signatures to verify per artifact exceeded")
        );
    }

    #[test]
    fn a_fourth_good_signature_is_never_tried_with_three_attempts() {
        let (v, touched) = run(vec![vec!["bad1", "bad2", "bad3", "good4"]], "strict", 3);
        assert!(matches!(
            v.verdict,
            Verdict::Failed(VerifyError::LimitExceeded(3))
        ));
        assert!(!touched.contains(&"fetch good4".to_string()));
        let (v, _) = run(vec![vec!["bad1", "bad2", "bad3", "good4"]], "strict", 100);
        assert_eq!(v.verdict, Verdict::Verified(3));
    }

    #[test]
    fn limit_is_checked_after_each_page() {
        let (v, touched) = run(vec![vec!["bad1"], vec!["bad2", "good3"]], "strict", 2);
        assert!(matches!(
            v.verdict,
            Verdict::Failed(VerifyError::LimitExceeded(2))
        ));
        assert!(!touched.contains(&"fetch good3".to_string()));
    }

    #[test]
    fn success_on_the_last_allowed_signature_wins_over_the_limit() {
        let (v, _) = run(vec![vec!["bad1", "bad2", "good3"]], "strict", 3);
        assert_eq!(v.verdict, Verdict::Verified(2));
    }

    #[test]
    fn fetch_error_aborts_everything() {
        let (v, touched) = run(vec![vec!["broken1", "good2"]], "strict", 3);
        assert_eq!(
            v.error().map(ToString::to_string).as_deref(),
            Some(format!("unable to retrieve digital signature with digest \"broken1\" associated with \"reg.example/app@{DIGEST}\" from the Repository, error : fake: gone").as_str())
        );
        assert!(!touched.contains(&"fetch good2".to_string()));
    }

    #[test]
    fn no_signatures() {
        let (v, _) = run(vec![], "audit", 3);
        assert_eq!(
            v.error().map(ToString::to_string),
            Some(format!("no signature is associated with \"reg.example/app@{DIGEST}\", make sure the artifact was signed successfully"))
        );
    }

    #[test]
    fn reference_parts() {
        assert_eq!(reference_part("r.io/a/b@sha256:ab"), Some("sha256:ab"));
        assert_eq!(reference_part("r.io:5000/a/b:v1"), Some("v1"));
        assert_eq!(reference_part("r.io:5000/a/b"), None);
        assert_eq!(reference_part("r.io/a@"), None);
    }

    fn run_reference(
        pages: Vec<Vec<&'static str>>,
        reference: &str,
    ) -> (Verification, Vec<String>) {
        let source = FakeSource {
            pages,
            touched: RefCell::new(Vec::new()),
        };
        let options = LoopOptions {
            artifact_reference: reference.into(),
            max_signatures: 3,
        };
        let v = futures::executor::block_on(verify_artifact(
            &source,
            &FakeVerifier("strict"),
            &options,
        ));
        (v, source.touched.into_inner())
    }

    #[test]
    fn a_tag_resolves_to_any_digest_but_a_digest_must_match() {
        let (v, touched) = run_reference(vec![vec!["good1"]], "reg.example/app:v1");
        assert_eq!(v.verdict, Verdict::Verified(0));
        assert_eq!(touched[0], "resolve v1");
        let other = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
        let (v, touched) = run_reference(vec![vec!["good1"]], &format!("reg.example/app@{other}"));
        assert_eq!(
            v.error().map(ToString::to_string),
            Some(format!(
                "user input digest {other} does not match the resolved digest {DIGEST}"
            ))
        );
        assert!(!touched.contains(&"list".to_string()));
    }

    #[test]
    fn the_verified_index_counts_across_pages() {
        let (v, _) = run(
            vec![vec!["bad1", "bad2"], vec!["bad3", "good4"]],
            "strict",
            10,
        );
        assert_eq!(v.verdict, Verdict::Verified(3));
        assert!(v.signatures[3]
            .outcome
            .as_ref()
            .is_some_and(|o| o.verified()));
        assert!(v.signatures[2]
            .outcome
            .as_ref()
            .is_some_and(|o| !o.verified()));
    }
}
