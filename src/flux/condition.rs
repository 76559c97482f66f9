//! The `SourceVerified` condition source-controller writes on the `OCIRepository`.

use super::outcome::{FluxResult, FluxVerdict};
use std::fmt::Write as _;

/// The prefix source-controller puts before every notation verification error.
pub const PROVIDER_ERROR_PREFIX: &str =
    "failed to verify the signature using provider 'notation': ";

/// A Kubernetes status condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// `SourceVerified`.
    pub kind: String,
    /// `True` or `False`.
    pub status: String,
    /// `Succeeded` or `VerificationError`.
    pub reason: String,
    /// The message.
    pub message: String,
}

/// The condition Flux writes for `verdict`; `None` when it writes none (ignored, or the
/// artifact could not be resolved and verification never ran).
/// `revision` is `<tag>@sha256:...` for tag references and `sha256:...` for digests.
pub fn source_verified(verdict: &FluxVerdict, revision: &str) -> Option<Condition> {
    match verdict.result {
        FluxResult::Verified => Some(Condition {
            kind: "SourceVerified".into(),
            status: "True".into(),
            reason: "Succeeded".into(),
            message: format!("verified signature of revision {revision}"),
        }),
        FluxResult::Failed => Some(Condition {
            kind: "SourceVerified".into(),
            status: "False".into(),
            reason: "VerificationError".into(),
            message: format!(
                "{PROVIDER_ERROR_PREFIX}{}",
                verdict.error.as_deref().unwrap_or_default()
            ),
        }),
        FluxResult::Ignored | FluxResult::FetchFailed => None,
    }
}

impl Condition {
    /// The condition as `kubectl describe` lists it under `Status: Conditions:` (fields in
    /// kubectl's alphabetical order, values aligned, continuation lines indented).
    pub fn describe(&self) -> String {
        let mut out = String::from("Conditions:\n");
        let width = "Message:".len() + 2;
        for (name, value) in [
            ("Message", self.message.as_str()),
            ("Reason", self.reason.as_str()),
            ("Status", self.status.as_str()),
            ("Type", self.kind.as_str()),
        ] {
            let label = format!("{name}:");
            let mut lines = value.lines();
            let first = lines.next().unwrap_or_default();
            let _ = writeln!(out, "  {label:<width$}{first}");
            for line in lines {
                let _ = writeln!(out, "  {:<width$}{line}", "");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(result: FluxResult, error: Option<&str>) -> FluxVerdict {
        FluxVerdict {
            result,
            error: error.map(str::to_string),
            log_lines: Vec::new(),
        }
    }

    #[test]
    fn verified_condition() {
        let c = source_verified(&verdict(FluxResult::Verified, None), "v1@sha256:ab").unwrap();
        assert_eq!(c.message, "verified signature of revision v1@sha256:ab");
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("True", "Succeeded")
        );
    }

    #[test]
    fn failed_condition_carries_the_provider_prefix() {
        let c = source_verified(&verdict(FluxResult::Failed, Some("a\nb")), "sha256:ab").unwrap();
        assert_eq!(
            c.message,
            "failed to verify the signature using provider 'notation': a\nb"
        );
        assert_eq!(c.reason, "VerificationError");
        assert_eq!(
            c.describe(),
            "Conditions:\n  Message:  failed to verify the signature using provider 'notation': a\n            b\n  Reason:   VerificationError\n  Status:   False\n  Type:     SourceVerified\n"
        );
    }

    #[test]
    fn ignored_writes_no_condition() {
        assert!(source_verified(&verdict(FluxResult::Ignored, None), "sha256:ab").is_none());
        assert!(source_verified(&verdict(FluxResult::FetchFailed, Some("x")), "").is_none());
    }
}
