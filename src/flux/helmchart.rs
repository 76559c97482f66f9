//! `HelmChart`s from an OCI `HelmRepository`, and the `HelmRelease` chart templates
//! helm-controller turns into them, read the way source-controller v1.9 builds and verifies
//! such a chart:
//!
//! - helm-controller creates, for a `HelmRelease` with `spec.chart.spec`, the `HelmChart`
//!   `<release namespace>-<release name>` in the namespace of `spec.chart.spec.sourceRef`
//!   (the release's own when the reference names none), copying `chart`, `version` (CRD
//!   default `*`), `sourceRef` and `verify`. A release with `spec.chartRef` uses an existing
//!   `OCIRepository` or `HelmChart` instead and adds nothing to verify.
//! - source-controller (`buildFromHelmRepository`) builds the verifiers first (`makeVerifiers`:
//!   the Secret in the HelmChart's namespace, `trustpolicy.json`, the certificates, notation-go's
//!   policy validation). An error there is the condition
//!   `failed to verify the signature using provider 'notation': <err>`, as for an OCIRepository;
//!   a missing `secretRef` reads `verification secret cannot be empty: '<HelmChart name>'`.
//! - The chart version (`OCIChartRepository.GetChartVersion`): a `version` that parses as a
//!   semver version is used as written, without listing tags; otherwise the repository's tags
//!   are listed through Helm's registry client, which keeps only strict semver tags **after
//!   turning `_` back into `+`** (OCI tags cannot hold `+`, so `helm push` writes build
//!   metadata with `_`), and the highest one matching the range (`*` or empty: the highest
//!   stable version) is taken. The chart URL is `<url>/<chart>:<version>`.
//! - Verification (`OCIChartRepository.VerifyChart`) parses that URL with go-containerregistry's
//!   `name.ParseReference`, which knows nothing of Helm's `_`/`+` mapping: a version with build
//!   metadata (`1.2.3+build`, whether written so or found as the tag `1.2.3_build`) is not a
//!   valid tag there, and the HelmChart fails with `invalid chart reference: could not parse
//!   reference: <ref>` although the chart itself can be pulled. So the tag listing sees
//!   `1.2.3+build` where the registry has `1.2.3_build`, and the verified reference has neither.
//!   (Read from `internal/helm/repository/oci_chart_repository.go`: `getChartVersion` returns
//!   `<url>:<tag>` with the listed, `+`-spelt tag, and `VerifyChart` hands that URL, `oci://`
//!   trimmed, to `name.ParseReference` before any verifier runs.)
//! - The notation verifier is handed the tag reference; it resolves the tag to the manifest
//!   digest itself and matches `<registry>/<repository>@sha256:...` against the trust policy.
//!   A verification error becomes the build error
//!   `chart verification error: failed to verify <chart URL>: <err>`, which the controller
//!   writes as `SourceVerified=False` (reason `VerificationError`); success is
//!   `verified signature of version <version>`; an ignored outcome writes no condition.
//! - `HelmRepository.spec.insecure` means plain HTTP, for the listing and the verifier alike.

use super::condition::{Condition, PROVIDER_ERROR_PREFIX};
use super::ocirepository::Constraint;
use crate::source::reference::{Normalisation, Reference};
use serde_json::Value;
use std::time::Duration;

/// What `chart verification error` build errors start with (`ErrChartVerification`'s summary).
pub const CHART_VERIFICATION_ERROR: &str = "chart verification error";

/// Why a HelmRepository / HelmChart / HelmRelease cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HelmChartError {
    /// A field of the wrong shape.
    #[error("{kind} {name}: field {field}: {detail}")]
    Field {
        /// The object's kind.
        kind: String,
        /// `namespace/name`.
        name: String,
        /// Dotted field path.
        field: String,
        /// What is wrong.
        detail: String,
    },
    /// `helmreg.IsOCI` fails for a `type: oci` repository.
    #[error("invalid OCI registry URL: {0}")]
    NotOci(String),
    /// The chart repository is not a valid OCI repository name.
    #[error("invalid chart repository {reference}: {detail}")]
    Repository {
        /// `<url>/<chart>` without the scheme.
        reference: String,
        /// Why.
        detail: String,
    },
    /// The registry has no tags for the chart.
    #[error("failed to get chart version for remote reference: could not get tags for \"{chart}\": unable to locate any tags in provided repository: {url}")]
    NoTags {
        /// The chart name.
        chart: String,
        /// `oci://.../<chart>`.
        url: String,
    },
    /// No tag satisfies the version range.
    #[error("failed to get chart version for remote reference: could not locate a version matching provided version string {0}")]
    NoMatch(String),
    /// The version range does not parse.
    #[error("failed to get chart version for remote reference: improper constraint: {0}")]
    Constraint(String),
}

/// A `HelmRepository` (`source.toolkit.fluxcd.io/v1` or `v1beta2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelmRepository {
    /// `metadata.name`.
    pub name: String,
    /// The namespace it lands in.
    pub namespace: String,
    /// `spec.url`.
    pub url: String,
    /// `spec.type == "oci"`.
    pub oci: bool,
    /// `spec.insecure`: plain HTTP.
    pub insecure: bool,
    /// `spec.timeout`; `None` when absent (Flux's default, 60s, applies; in `scan`, the
    /// `--timeout` given).
    pub timeout: Option<Duration>,
    /// `spec.provider` (`generic` when absent): who issues the registry credentials.
    pub provider: crate::source::registry::Provider,
}

/// Where a HelmChart came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartOrigin {
    /// A `HelmChart` object in the tree.
    HelmChart,
    /// The template of a `HelmRelease` (`spec.chart.spec`).
    HelmRelease {
        /// The release's name.
        name: String,
        /// The release's namespace.
        namespace: String,
    },
}

/// A `HelmChart` (as written, or as helm-controller makes it from a HelmRelease).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelmChart {
    /// Its name (`<ns>-<name>` for a release's chart).
    pub name: String,
    /// Its namespace: where the source and the verification Secret are looked up.
    pub namespace: String,
    /// `spec.chart`.
    pub chart: String,
    /// `spec.version` (`*` when absent).
    pub version: String,
    /// `spec.sourceRef.kind`.
    pub source_kind: String,
    /// `spec.sourceRef.name`.
    pub source_name: String,
    /// `spec.verify`.
    pub verify: Option<Verification>,
    /// Where it came from.
    pub origin: ChartOrigin,
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str().filter(|s| !s.is_empty())
}

/// A chart's `spec.verify` (the HelmChart's, or the template's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// `provider` (the CRD defaults it to `cosign`).
    pub provider: String,
    /// `secretRef.name`, if set.
    pub secret_name: Option<String>,
    /// `matchOIDCIdentity` (keyless cosign: no `secretRef`).
    pub identities: Vec<crate::cosign::keyless::identity::Identity>,
}

fn verification(spec: &Value) -> Option<Verification> {
    let verify = spec.get("verify").filter(|v| !v.is_null())?;
    let identities = verify
        .get("matchOIDCIdentity")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|i| crate::cosign::keyless::identity::Identity {
                    issuer: str_at(i, &["issuer"]).unwrap_or_default().to_owned(),
                    subject: str_at(i, &["subject"]).unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Verification {
        provider: str_at(verify, &["provider"]).unwrap_or("cosign").to_owned(),
        secret_name: str_at(verify, &["secretRef", "name"])
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
        identities,
    })
}

/// Reads a `HelmRepository` document; `namespace` is where it lands.
pub fn helm_repository(value: &Value, namespace: &str) -> Result<HelmRepository, HelmChartError> {
    let name = str_at(value, &["metadata", "name"])
        .unwrap_or_default()
        .to_owned();
    let spec = value.get("spec").cloned().unwrap_or(Value::Null);
    let timeout = match str_at(&spec, &["timeout"]) {
        None => None,
        Some(t) => Some(super::ocirepository::parse_timeout(t).map_err(|detail| {
            HelmChartError::Field {
                kind: "HelmRepository".into(),
                name: format!("{namespace}/{name}"),
                field: "spec.timeout".into(),
                detail,
            }
        })?),
    };
    use crate::source::registry::Provider;
    let provider = match str_at(&spec, &["provider"]) {
        None => Provider::Generic,
        Some(p) => Provider::from_name(p).ok_or_else(|| HelmChartError::Field {
            kind: "HelmRepository".into(),
            name: format!("{namespace}/{name}"),
            field: "spec.provider".into(),
            detail: format!(
                "Unsupported value: {p:?}: supported values: {}",
                Provider::NAMES.map(|n| format!("{n:?}")).join(", ")
            ),
        })?,
    };
    Ok(HelmRepository {
        provider,
        url: str_at(&spec, &["url"]).unwrap_or_default().to_owned(),
        oci: str_at(&spec, &["type"]) == Some("oci"),
        insecure: spec
            .get("insecure")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        timeout,
        name,
        namespace: namespace.to_owned(),
    })
}

/// Reads a `HelmChart` document; `namespace` is where it lands.
pub fn helm_chart(value: &Value, namespace: &str) -> HelmChart {
    let spec = value.get("spec").cloned().unwrap_or(Value::Null);
    HelmChart {
        name: str_at(value, &["metadata", "name"])
            .unwrap_or_default()
            .to_owned(),
        namespace: namespace.to_owned(),
        chart: str_at(&spec, &["chart"]).unwrap_or_default().to_owned(),
        version: str_at(&spec, &["version"]).unwrap_or("*").to_owned(),
        source_kind: str_at(&spec, &["sourceRef", "kind"])
            .unwrap_or_default()
            .to_owned(),
        source_name: str_at(&spec, &["sourceRef", "name"])
            .unwrap_or_default()
            .to_owned(),
        verify: verification(&spec),
        origin: ChartOrigin::HelmChart,
    }
}

/// helm-controller's HelmChart for a `HelmRelease` with `spec.chart.spec`; `None` when the
/// release uses `spec.chartRef` (or has no chart template).
pub fn release_chart(value: &Value, namespace: &str) -> Option<HelmChart> {
    let template = value.get("spec")?.get("chart")?.get("spec")?;
    let name = str_at(value, &["metadata", "name"]).unwrap_or_default();
    let chart_namespace = str_at(template, &["sourceRef", "namespace"]).unwrap_or(namespace);
    Some(HelmChart {
        name: format!("{namespace}-{name}"),
        namespace: chart_namespace.to_owned(),
        chart: str_at(template, &["chart"]).unwrap_or_default().to_owned(),
        version: str_at(template, &["version"]).unwrap_or("*").to_owned(),
        source_kind: str_at(template, &["sourceRef", "kind"])
            .unwrap_or_default()
            .to_owned(),
        source_name: str_at(template, &["sourceRef", "name"])
            .unwrap_or_default()
            .to_owned(),
        verify: verification(template),
        origin: ChartOrigin::HelmRelease {
            name: name.to_owned(),
            namespace: namespace.to_owned(),
        },
    })
}

/// `repository.NormalizeURL` for an OCI repository: the URL without a trailing `/`; it must be
/// `oci://`.
pub fn normalize_url(url: &str) -> Result<String, HelmChartError> {
    let trimmed = url.trim_end_matches('/');
    if !trimmed.starts_with("oci://") {
        return Err(HelmChartError::NotOci(trimmed.to_owned()));
    }
    Ok(trimmed.to_owned())
}

/// The chart's repository, `<url>/<chart>` read as go-containerregistry reads it (Docker Hub
/// normalisation included).
pub fn chart_repository(
    repository: &HelmRepository,
    chart: &str,
) -> Result<Reference, HelmChartError> {
    let url = normalize_url(&repository.url)?;
    let path = format!("{}/{chart}", url.trim_start_matches("oci://"));
    Reference::parse(&path, Normalisation::Flux).map_err(|e| HelmChartError::Repository {
        reference: path.clone(),
        detail: e.to_string(),
    })
}

/// `fluxcd/pkg/version.ParseVersion`: strict semver, a leading `v` allowed.
fn parse_version(text: &str) -> Option<semver::Version> {
    semver::Version::parse(text.strip_prefix('v').unwrap_or(text)).ok()
}

/// Whether `version` names one version (no tag listing is needed).
pub fn is_exact_version(version: &str) -> bool {
    parse_version(version).is_some()
}

/// Helm's registry client `Tags`: the tags that are strict semver once `_` is read as `+`,
/// highest first, as `semver.Version.String()` prints them.
pub fn helm_tags(tags: &[String]) -> Vec<String> {
    let mut versions: Vec<semver::Version> = tags
        .iter()
        .filter_map(|t| semver::Version::parse(&t.replace('_', "+")).ok())
        .collect();
    versions.sort_by(|a, b| b.cmp_precedence(a).then_with(|| b.cmp(a)));
    versions.iter().map(ToString::to_string).collect()
}

/// `GetChartVersion` over the repository's raw tags: the version the chart URL names.
pub fn select_chart_version(
    tags: &[String],
    chart: &str,
    chart_url: &str,
    version: &str,
) -> Result<String, HelmChartError> {
    if is_exact_version(version) {
        return Ok(version.to_owned());
    }
    let candidates = helm_tags(tags);
    if candidates.is_empty() {
        return Err(HelmChartError::NoTags {
            chart: chart.to_owned(),
            url: chart_url.to_owned(),
        });
    }
    // getLastMatchingVersionOrConstraint: an exact string match first.
    if !version.is_empty() {
        if let Some(exact) = candidates.iter().find(|c| *c == version) {
            return Ok(exact.clone());
        }
    }
    let expr = if version.is_empty() { "*" } else { version };
    let constraint = Constraint::parse(expr).map_err(HelmChartError::Constraint)?;
    let mut best: Option<(semver::Version, &String)> = None;
    for candidate in &candidates {
        let Some(v) = parse_version(candidate) else {
            continue;
        };
        // Masterminds' `*` is "any stable version": pre-releases only match a range that
        // names one.
        if expr == "*" && !v.pre.is_empty() {
            continue;
        }
        if !constraint.matches(&v) {
            continue;
        }
        let better = best
            .as_ref()
            .is_none_or(|(b, _)| v.cmp_precedence(b) == std::cmp::Ordering::Greater);
        if better {
            best = Some((v, candidate));
        }
    }
    best.map(|(_, c)| c.clone())
        .ok_or_else(|| HelmChartError::NoMatch(version.to_owned()))
}

/// `<url>/<chart>:<version>`, the chart URL source-controller builds (`oci://` kept).
pub fn chart_url(repository: &HelmRepository, chart: &str, version: &str) -> String {
    let url = repository.url.trim_end_matches('/');
    format!("{url}/{chart}:{version}")
}

/// go-containerregistry's tag alphabet.
fn valid_ggcr_tag(tag: &str) -> bool {
    (1..=128).contains(&tag.len())
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// What `VerifyChart` makes of the chart URL before verifying: the tag to resolve, or the
/// build error's text (after [`CHART_VERIFICATION_ERROR`]) when go-containerregistry refuses
/// the reference, as it does a `+` in the version.
pub fn verified_tag(chart_url: &str) -> Result<String, String> {
    let reference = chart_url.strip_prefix("oci://").unwrap_or(chart_url);
    match reference.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') && valid_ggcr_tag(tag) && !repo.is_empty() => {
            Ok(tag.to_owned())
        }
        _ => Err(format!(
            "invalid chart reference: could not parse reference: {reference}"
        )),
    }
}

/// How a chart's verification ended, for its condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartVerdict {
    /// A signature verified.
    Verified,
    /// Flux accepts the chart without a condition.
    Ignored,
    /// `makeVerifiers` failed (trust material): the provider-prefixed message.
    VerifierError(String),
    /// `makeVerifiers` failed for a cosign chart with a `secretRef` (the Secret, no `.pub` key,
    /// a key that does not load).
    CosignVerifierError(String),
    /// `VerifyChart` failed: the build error's text after `chart verification error: `.
    Failed(String),
}

/// The `SourceVerified` condition source-controller writes on the HelmChart.
pub fn condition(verdict: &ChartVerdict, version: &str) -> Option<Condition> {
    let failed = |message: String| Condition {
        kind: "SourceVerified".into(),
        status: "False".into(),
        reason: "VerificationError".into(),
        message,
    };
    match verdict {
        ChartVerdict::Verified => Some(Condition {
            kind: "SourceVerified".into(),
            status: "True".into(),
            reason: "Succeeded".into(),
            message: format!("verified signature of version {version}"),
        }),
        ChartVerdict::Ignored => None,
        ChartVerdict::VerifierError(error) => {
            Some(failed(format!("{PROVIDER_ERROR_PREFIX}{error}")))
        }
        ChartVerdict::CosignVerifierError(error) => Some(failed(format!(
            "failed to verify the signature using provider 'cosign': {error}"
        ))),
        ChartVerdict::Failed(error) => Some(failed(format!("{CHART_VERIFICATION_ERROR}: {error}"))),
    }
}

/// What `VerifyChart` makes of a cosign chart's static keys, each already checked
/// (`keys`: sorted by name, as [`crate::cosign::keys_from_secret`] gives them).
///
/// `makeVerifiers` builds one verifier a `.pub` key (an empty one is a keyless verifier), and
/// `VerifyChart` tries them in turn, returning at the first that does not verify with
/// `failed to verify <chart URL>: <cosign's error>` and at the first that does with success;
/// unlike the OCIRepository loop, no error is swallowed. The keys come from ranging over the
/// Secret's data, in Go's random map order: when some verify and others do not, Flux fails some
/// reconciliations and passes others. That is reported as failed (the first failing key by
/// name), with a warning saying so. An empty key whose keyless check needs Rekor online leaves
/// the result undecided unless another key fails.
pub fn cosign_keys_verdict(
    chart_url: &str,
    keys: &[crate::cosign::KeyOutcome],
) -> (CosignKeysVerdict, Vec<String>) {
    use crate::cosign::KeyStatus;
    // A key that does not load is refused by makeVerifiers before this; should one reach
    // here, it fails like any key that does not verify, never passes.
    let failing = keys.iter().find_map(|k| match &k.status {
        KeyStatus::Failed(e) => Some((k.name.as_str(), e.clone())),
        KeyStatus::Invalid(e) => Some((k.name.as_str(), e.to_string())),
        KeyStatus::Verified | KeyStatus::Keyless => None,
    });
    let verifying: Vec<&str> = keys
        .iter()
        .filter(|k| k.status == KeyStatus::Verified)
        .map(|k| k.name.as_str())
        .collect();
    let mut warnings = Vec::new();
    if let Some((name, error)) = failing {
        if !verifying.is_empty() {
            warnings.push(format!(
                "Flux tries the Secret's keys in Go's random map order and stops at the first that does not verify: with {} verifying and '{name}' not, some reconciliations verify the chart and others fail it",
                verifying.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
            ));
        }
        return (
            CosignKeysVerdict::Decided(ChartVerdict::Failed(verify_failure(chart_url, &error))),
            warnings,
        );
    }
    if keys.is_empty() {
        // VerifyChart's own guard (makeVerifiers refuses a Secret without `.pub` keys first).
        let none = ChartVerdict::Failed("no verifiers available".into());
        return (CosignKeysVerdict::Decided(none), warnings);
    }
    if keys.iter().any(|k| k.status == KeyStatus::Keyless) {
        return (CosignKeysVerdict::NeedsOnlineLog, warnings);
    }
    (CosignKeysVerdict::Decided(ChartVerdict::Verified), warnings)
}

/// [`cosign_keys_verdict`]'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CosignKeysVerdict {
    /// What Flux decides.
    Decided(ChartVerdict),
    /// An empty key's keyless verification rests on a Rekor search (see
    /// [`crate::cosign::keyless::NEEDS_ONLINE_LOG`]).
    NeedsOnlineLog,
}

/// The text after `chart verification error: ` for a notation error: `VerifyChart` wraps the
/// verifier's error with the chart URL.
pub fn verify_failure(chart_url: &str, error: &str) -> String {
    format!("failed to verify {chart_url}: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, status: crate::cosign::KeyStatus) -> crate::cosign::KeyOutcome {
        crate::cosign::KeyOutcome {
            name: name.into(),
            kind: None,
            status,
            signatures: Vec::new(),
            tried_by_flux: true,
        }
    }

    #[test]
    fn cosign_chart_keys_pass_only_when_every_key_verifies() {
        use crate::cosign::{KeyError, KeyStatus};
        const URL: &str = "oci://r.example/charts/app:1.0.0";
        let failed = || KeyStatus::Failed("no matching signatures: x".into());
        let verdict = |keys: &[crate::cosign::KeyOutcome]| cosign_keys_verdict(URL, keys);

        let (all, warnings) = verdict(&[
            key("a.pub", KeyStatus::Verified),
            key("b.pub", KeyStatus::Verified),
        ]);
        assert_eq!(all, CosignKeysVerdict::Decided(ChartVerdict::Verified));
        assert!(warnings.is_empty());

        let (mixed, warnings) =
            verdict(&[key("a.pub", KeyStatus::Verified), key("b.pub", failed())]);
        assert_eq!(
            mixed,
            CosignKeysVerdict::Decided(ChartVerdict::Failed(format!(
                "failed to verify {URL}: no matching signatures: x"
            )))
        );
        assert!(
            warnings[0].contains("'a.pub' verifying and 'b.pub' not"),
            "{warnings:?}"
        );

        let (invalid, _) = verdict(&[
            key("a.pub", KeyStatus::Verified),
            key("b.pub", KeyStatus::Invalid(KeyError::PemDecoding)),
        ]);
        assert_eq!(
            invalid,
            CosignKeysVerdict::Decided(ChartVerdict::Failed(format!(
                "failed to verify {URL}: PEM decoding failed"
            )))
        );

        let (online, _) = verdict(&[
            key("a.pub", KeyStatus::Verified),
            key("e.pub", KeyStatus::Keyless),
        ]);
        assert_eq!(online, CosignKeysVerdict::NeedsOnlineLog);
        // A key that fails decides even beside one that needs Rekor.
        let (decided, _) = verdict(&[key("e.pub", KeyStatus::Keyless), key("f.pub", failed())]);
        assert!(matches!(
            decided,
            CosignKeysVerdict::Decided(ChartVerdict::Failed(_))
        ));

        let (none, _) = verdict(&[]);
        assert_eq!(
            none,
            CosignKeysVerdict::Decided(ChartVerdict::Failed("no verifiers available".into()))
        );
    }

    fn tags(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn release_template_becomes_a_chart_in_the_source_namespace() {
        let release: Value = serde_json::from_str(r#"{"metadata":{"name":"podinfo"},"spec":{"chart":{"spec":{"chart":"podinfo","sourceRef":{"kind":"HelmRepository","name":"charts","namespace":"flux-system"},"verify":{"provider":"notation","secretRef":{"name":"trust"}}}}}}"#).unwrap();
        let c = release_chart(&release, "apps").unwrap();
        assert_eq!(c.name, "apps-podinfo");
        assert_eq!(c.namespace, "flux-system");
        assert_eq!(c.version, "*");
        assert_eq!(
            c.verify,
            Some(Verification {
                provider: "notation".into(),
                secret_name: Some("trust".into()),
                identities: Vec::new(),
            })
        );
        let by_ref: Value = serde_json::from_str(
            r#"{"metadata":{"name":"x"},"spec":{"chartRef":{"kind":"OCIRepository","name":"y"}}}"#,
        )
        .unwrap();
        assert!(release_chart(&by_ref, "apps").is_none());
    }

    #[test]
    fn versions_follow_helm_tags_and_ranges() {
        let t = tags(&[
            "1.0.0",
            "1.2.0",
            "1.3.0-rc.1",
            "v1.9.0",
            "1.2.1_build.5",
            "latest",
            "2.0.0",
        ]);
        assert_eq!(
            helm_tags(&t),
            vec!["2.0.0", "1.3.0-rc.1", "1.2.1+build.5", "1.2.0", "1.0.0"]
        );
        let pick = |v: &str| select_chart_version(&t, "app", "oci://r/app", v);
        assert_eq!(pick("*").unwrap(), "2.0.0");
        assert_eq!(pick("").unwrap(), "2.0.0");
        assert_eq!(pick("1.x").unwrap(), "1.2.1+build.5");
        assert_eq!(pick(">=1.0.0 <1.2.1").unwrap(), "1.2.0");
        assert_eq!(pick("1.0.0").unwrap(), "1.0.0", "exact: no listing");
        assert_eq!(
            pick("9.9.9").unwrap(),
            "9.9.9",
            "exact versions are not checked"
        );
        assert_eq!(
            pick("3.x").unwrap_err().to_string(),
            "failed to get chart version for remote reference: could not locate a version matching provided version string 3.x"
        );
        assert!(matches!(
            select_chart_version(&tags(&["latest"]), "app", "oci://r/app", "*"),
            Err(HelmChartError::NoTags { .. })
        ));
    }

    #[test]
    fn build_metadata_cannot_be_verified() {
        let repo = HelmRepository {
            name: "charts".into(),
            namespace: "ns".into(),
            url: "oci://r.example/charts/".into(),
            oci: true,
            insecure: false,
            timeout: None,
            provider: crate::source::registry::Provider::Generic,
        };
        let url = chart_url(&repo, "app", "1.2.1+build.5");
        assert_eq!(url, "oci://r.example/charts/app:1.2.1+build.5");
        assert_eq!(
            verified_tag(&url).unwrap_err(),
            "invalid chart reference: could not parse reference: r.example/charts/app:1.2.1+build.5"
        );
        assert_eq!(
            verified_tag("oci://r.example:5000/charts/app:1.2.0").unwrap(),
            "1.2.0"
        );
        assert_eq!(
            chart_repository(&repo, "app").unwrap().repository_name(),
            "r.example/charts/app"
        );
        let http = HelmRepository {
            url: "https://r.example".into(),
            ..repo
        };
        assert_eq!(
            chart_repository(&http, "app").unwrap_err().to_string(),
            "invalid OCI registry URL: https://r.example"
        );
    }

    #[test]
    fn conditions_are_the_helmcharts() {
        let c = condition(&ChartVerdict::Verified, "1.2.0").unwrap();
        assert_eq!(c.message, "verified signature of version 1.2.0");
        let c = condition(
            &ChartVerdict::Failed(verify_failure(
                "oci://r/app:1.2.0",
                "signature verification failed",
            )),
            "1.2.0",
        )
        .unwrap();
        assert_eq!(
            c.message,
            "chart verification error: failed to verify oci://r/app:1.2.0: signature verification failed"
        );
        let c = condition(
            &ChartVerdict::VerifierError("secrets \"x\" not found".into()),
            "1",
        )
        .unwrap();
        assert_eq!(
            c.message,
            "failed to verify the signature using provider 'notation': secrets \"x\" not found"
        );
        assert!(condition(&ChartVerdict::Ignored, "1").is_none());
    }
}
