//! `OCIRepository` manifests (`source.toolkit.fluxcd.io/v1` and `v1beta2`), read the way
//! source-controller's reconciler reads the fields that decide what gets verified:
//!
//! - `spec.url` must start with `oci://` and carry no tag; the rest is a repository name with
//!   go-containerregistry's Docker Hub normalisation;
//! - `spec.ref`: `digest`, else `semver` (with `semverFilter`) over the repository's tags,
//!   else `tag`, else `latest`;
//! - `spec.insecure`: plain HTTP for notation's signature calls;
//! - `spec.provider` (`generic`, `aws`, `azure`, `gcp`): who issues the registry credentials
//!   when no others are configured (not to be confused with `spec.verify.provider`);
//! - `spec.verify`: `provider: notation` and `secretRef`, the Secret looked up in the same file
//!   by name and the OCIRepository's namespace (Flux reads it from that namespace).
//!
//! A file may hold other documents too (a Namespace and the Secret, as in the Flux docs).

use crate::source::reference::{Normalisation, Reference, ReferenceError};
use serde::Deserialize;

/// The API versions whose `OCIRepository` is modelled.
pub const API_VERSIONS: [&str; 2] = [
    "source.toolkit.fluxcd.io/v1",
    "source.toolkit.fluxcd.io/v1beta2",
];

/// Why an `OCIRepository` file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OciRepositoryError {
    /// The file is not YAML/JSON.
    #[error("{file}: document {document}: {detail}")]
    Syntax {
        /// File name as given.
        file: String,
        /// 1-based document number.
        document: usize,
        /// The parser's message.
        detail: String,
    },
    /// No `OCIRepository` in a modelled API version.
    #[error("{file}: no OCIRepository (apiVersion {} or {}) found", API_VERSIONS[0], API_VERSIONS[1])]
    NotFound {
        /// File name as given.
        file: String,
    },
    /// More than one `OCIRepository`.
    #[error(
        "{file}: {count} OCIRepository documents found; put the one to verify in its own file"
    )]
    Several {
        /// File name as given.
        file: String,
        /// How many.
        count: usize,
    },
    /// A field of the wrong shape.
    #[error("{file}: OCIRepository {name}: field {field}: {detail}")]
    Field {
        /// File name as given.
        file: String,
        /// `namespace/name`.
        name: String,
        /// Dotted field path.
        field: String,
        /// What is wrong.
        detail: String,
    },
    /// Flux's URL validation (`URLInvalid`, the reconcile stalls).
    #[error("URL validation failed for '{url}': {detail}")]
    Url {
        /// `spec.url`.
        url: String,
        /// Flux's message.
        detail: String,
    },
    /// `spec.verify.provider` is neither notation nor cosign.
    #[error("OCIRepository {name}: spec.verify.provider is {provider:?}; Flux knows the providers \"cosign\" and \"notation\"")]
    Provider {
        /// `namespace/name`.
        name: String,
        /// The provider.
        provider: String,
    },
    /// `spec.ref.semver` is not a valid constraint.
    #[error("semver '{expr}' parse error: {detail}")]
    SemverParse {
        /// The constraint.
        expr: String,
        /// Why.
        detail: String,
    },
    /// `spec.ref.semverFilter` is not a valid regular expression.
    #[error("error parsing regexp: {detail}")]
    SemverFilter {
        /// Why.
        detail: String,
    },
    /// No tag satisfies `spec.ref.semver`.
    #[error("failed to determine the artifact tag for '{url}': no match found for semver: {expr}")]
    NoSemverMatch {
        /// `spec.url`.
        url: String,
        /// The constraint.
        expr: String,
    },
}

/// Which artifact `spec.ref` selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactRef {
    /// `spec.ref.digest`.
    Digest(String),
    /// `spec.ref.semver` (and `semverFilter`): the highest matching tag of the repository.
    Semver {
        /// Masterminds-style constraint.
        expr: String,
        /// Regular expression the tags must match first.
        filter: Option<String>,
    },
    /// `spec.ref.tag`, or `latest` when `spec.ref` names nothing.
    Tag(String),
}

/// `spec.verify.provider`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// `notation`.
    Notation,
    /// `cosign` (the CRD's default).
    Cosign,
}

/// `spec.verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The provider.
    pub provider: Provider,
    /// `spec.verify.secretRef.name`, if set.
    pub secret_name: Option<String>,
    /// Whether `spec.verify.matchOIDCIdentity` lists any identity (cosign keyless).
    pub match_oidc_identity: bool,
    /// `spec.verify.matchOIDCIdentity`, in order.
    pub identities: Vec<crate::cosign::keyless::identity::Identity>,
    /// `spec.verify.trustedRootSecretRef.name`, if set.
    pub trusted_root_secret: Option<String>,
}

/// `spec.timeout` when absent: the CRD default, which bounds the whole reconcile (and so the
/// verification) of the object.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A `spec.timeout` value (Go duration syntax as the CRD takes it: `60s`, `1m30s`, `500ms`); the
/// error is Go's (`time: invalid duration "abc"`). `--timeout` takes the same syntax.
pub fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    crate::golang::time::parse_crd_duration(text)
}

/// An `OCIRepository` as far as verification is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciRepository {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (`default` when absent).
    pub namespace: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `spec.url` as written.
    pub url: String,
    /// The repository `spec.url` names, normalised as Flux does (no tag, no digest).
    pub repository: Reference,
    /// What `spec.ref` selects.
    pub artifact: ArtifactRef,
    /// `spec.insecure`.
    pub insecure: bool,
    /// `spec.timeout`; `None` when absent, and then [`DEFAULT_TIMEOUT`] applies (or, in
    /// `scan`, the `--timeout` given).
    pub timeout: Option<std::time::Duration>,
    /// `spec.provider` (the CRD defaults it to `generic`).
    pub provider: crate::source::registry::Provider,
    /// `spec.secretRef.name`: the registry credentials' Secret (not read: its credentials are
    /// given with `-u/-p` or the Docker config). Flux asks `spec.provider` only without one.
    pub registry_secret: Option<String>,
    /// `spec.verify`; `None` means Flux does not verify this source at all.
    pub verify: Option<Verification>,
}

/// An `OCIRepository` file: the object, and the Secret its `verify.secretRef` names when the same
/// file holds it (re-serialised as a standalone YAML document for the Secret loader).
#[derive(Debug, Clone)]
pub struct OciRepositoryFile {
    /// The object.
    pub repository: OciRepository,
    /// The verification Secret's document, when found in the file.
    pub secret_document: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Meta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    metadata: Option<Meta>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Spec {
    #[serde(default)]
    url: Option<String>,
    #[serde(default, rename = "ref")]
    reference: Option<RefSpec>,
    #[serde(default)]
    insecure: Option<bool>,
    #[serde(default)]
    timeout: Option<String>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    secret_ref: Option<SecretRef>,
    #[serde(default)]
    verify: Option<VerifySpec>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RefSpec {
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    semver: Option<String>,
    #[serde(default)]
    semver_filter: Option<String>,
    #[serde(default)]
    tag: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct VerifySpec {
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    secret_ref: Option<SecretRef>,
    #[serde(default, rename = "matchOIDCIdentity")]
    match_oidc_identity: Option<Vec<OidcIdentity>>,
    #[serde(default)]
    trusted_root_secret_ref: Option<SecretRef>,
}

#[derive(Debug, Deserialize, Default)]
struct OidcIdentity {
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    subject: String,
}

#[derive(Debug, Deserialize, Default)]
struct SecretRef {
    #[serde(default)]
    name: Option<String>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// Reads an `OCIRepository` file. `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<OciRepositoryFile, OciRepositoryError> {
    let bounded = crate::limits::Bounded::new(text).map_err(|e| OciRepositoryError::Syntax {
        file: file.to_owned(),
        document: 1,
        detail: e.to_string(),
    })?;
    let mut documents = Vec::new();
    for (i, document) in bounded.yaml_documents().enumerate() {
        let value =
            serde_norway::Value::deserialize(document).map_err(|e| OciRepositoryError::Syntax {
                file: file.to_owned(),
                document: i + 1,
                detail: e.to_string(),
            })?;
        if !value.is_null() {
            documents.push(value);
        }
    }
    let headers: Vec<(usize, Header)> = documents
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            serde_norway::from_value::<Header>(v.clone())
                .ok()
                .map(|h| (i, h))
        })
        .collect();
    let repositories: Vec<&(usize, Header)> = headers
        .iter()
        .filter(|(_, h)| {
            h.kind.as_deref() == Some("OCIRepository")
                && h.api_version
                    .as_deref()
                    .is_some_and(|a| API_VERSIONS.contains(&a))
        })
        .collect();
    let (index, _) = match repositories.as_slice() {
        [] => {
            return Err(OciRepositoryError::NotFound {
                file: file.to_owned(),
            })
        }
        [one] => *one,
        many => {
            return Err(OciRepositoryError::Several {
                file: file.to_owned(),
                count: many.len(),
            })
        }
    };
    let document = documents.get(*index).cloned().unwrap_or_default();
    let json = serde_json::to_value(&document).map_err(|e| OciRepositoryError::Syntax {
        file: file.to_owned(),
        document: index + 1,
        detail: e.to_string(),
    })?;
    let repository = from_document(&json, file)?;
    let namespace = repository.namespace.clone();
    let secret_document = match repository
        .verify
        .as_ref()
        .and_then(|v| v.secret_name.as_deref())
    {
        Some(secret) => documents
            .iter()
            .zip(0..)
            .find(|(_, i)| {
                headers.iter().any(|(j, h)| {
                    j == i
                        && h.kind.as_deref() == Some("Secret")
                        && h.metadata.as_ref().and_then(|m| m.name.as_deref()) == Some(secret)
                        && h.metadata
                            .as_ref()
                            .and_then(|m| non_empty(m.namespace.clone()))
                            .unwrap_or_else(|| "default".into())
                            == namespace
                })
            })
            .and_then(|(doc, _)| serde_norway::to_string(doc).ok()),
        None => None,
    };
    Ok(OciRepositoryFile {
        repository,
        secret_document,
    })
}

/// Reads one `OCIRepository` document (already parsed; `file` names it in errors; [`parse`]
/// finds the document in a file and reads it with this). The namespace is `metadata.namespace`,
/// `default` when absent (a scan resolves kustomize namespaces before calling this).
pub fn from_document(
    document: &serde_json::Value,
    file: &str,
) -> Result<OciRepository, OciRepositoryError> {
    let header: Header = serde_json::from_value(document.clone()).unwrap_or(Header {
        api_version: None,
        kind: None,
        metadata: None,
    });
    let meta = header.metadata.as_ref();
    let name = meta.and_then(|m| m.name.clone()).unwrap_or_default();
    let namespace = meta
        .and_then(|m| non_empty(m.namespace.clone()))
        .unwrap_or_else(|| "default".to_owned());
    let qualified = format!("{namespace}/{name}");
    let spec_value = document
        .get("spec")
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let spec: Spec = if spec_value.is_null() {
        Spec::default()
    } else {
        serde_json::from_value(spec_value).map_err(|e| OciRepositoryError::Field {
            file: file.to_owned(),
            name: qualified.clone(),
            field: "spec".into(),
            detail: e.to_string(),
        })?
    };
    use crate::source::registry::Provider as AuthProvider;
    let provider = match non_empty(spec.provider) {
        None => AuthProvider::Generic,
        Some(name) => AuthProvider::from_name(&name).ok_or_else(|| OciRepositoryError::Field {
            file: file.to_owned(),
            name: qualified.clone(),
            field: "spec.provider".into(),
            // The API server's enum validation message.
            detail: format!(
                "Unsupported value: {name:?}: supported values: {}",
                AuthProvider::NAMES.map(|n| format!("{n:?}")).join(", ")
            ),
        })?,
    };
    let url = spec.url.unwrap_or_default();
    let repository = parse_url(&url)?;
    let reference = spec.reference.unwrap_or_default();
    let artifact = if let Some(digest) = non_empty(reference.digest) {
        ArtifactRef::Digest(digest)
    } else if let Some(expr) = non_empty(reference.semver) {
        ArtifactRef::Semver {
            expr,
            filter: non_empty(reference.semver_filter),
        }
    } else if let Some(tag) = non_empty(reference.tag) {
        ArtifactRef::Tag(tag)
    } else {
        ArtifactRef::Tag("latest".into())
    };
    let timeout = match non_empty(spec.timeout) {
        None => None,
        Some(text) => Some(
            parse_timeout(&text).map_err(|detail| OciRepositoryError::Field {
                file: file.to_owned(),
                name: qualified.clone(),
                field: "spec.timeout".into(),
                detail,
            })?,
        ),
    };
    let verify = match spec.verify {
        None => None,
        Some(v) => {
            // The CRD defaults the provider to cosign.
            let provider = non_empty(v.provider).unwrap_or_else(|| "cosign".into());
            let provider = match provider.as_str() {
                "notation" => Provider::Notation,
                "cosign" => Provider::Cosign,
                _ => {
                    return Err(OciRepositoryError::Provider {
                        name: qualified,
                        provider,
                    })
                }
            };
            Some(Verification {
                provider,
                secret_name: v.secret_ref.and_then(|s| non_empty(s.name)),
                match_oidc_identity: v
                    .match_oidc_identity
                    .as_ref()
                    .is_some_and(|m| !m.is_empty()),
                identities: v
                    .match_oidc_identity
                    .unwrap_or_default()
                    .into_iter()
                    .map(|i| crate::cosign::keyless::identity::Identity {
                        issuer: i.issuer,
                        subject: i.subject,
                    })
                    .collect(),
                trusted_root_secret: v.trusted_root_secret_ref.and_then(|s| non_empty(s.name)),
            })
        }
    };
    Ok(OciRepository {
        name,
        namespace,
        api_version: header.api_version.clone().unwrap_or_default(),
        url,
        repository,
        artifact,
        insecure: spec.insecure.unwrap_or(false),
        timeout,
        provider,
        registry_secret: spec.secret_ref.and_then(|s| non_empty(s.name)),
        verify,
    })
}

/// Flux's `parseRepository`: `oci://` prefix, a repository name, no tag.
pub fn parse_url(url: &str) -> Result<Reference, OciRepositoryError> {
    let fail = |detail: String| OciRepositoryError::Url {
        url: url.to_owned(),
        detail,
    };
    let Some(rest) = url.strip_prefix("oci://") else {
        return Err(fail(
            "URL must be in format 'oci://<domain>/<org>/<repo>'".into(),
        ));
    };
    // What follows the registry part (as ggcr recognises one) must not contain ':'.
    let image = match rest.split_once('/') {
        Some((first, path))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            path
        }
        _ => rest,
    };
    let mut parts = image.split(':');
    parts.next();
    if let Some(tag) = parts.next() {
        return Err(fail(format!("URL must not contain a tag; remove ':{tag}'")));
    }
    if rest.contains('@') {
        return Err(fail(format!(
            "repository can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`: {rest}"
        )));
    }
    Reference::parse(rest, Normalisation::Flux).map_err(|e: ReferenceError| fail(e.to_string()))
}

/// Flux's `getTagBySemver` over `tags`: keep the tags matching `filter`, parse each as strict
/// semver (a leading `v` allowed), keep those satisfying `expr`, return the highest as written.
pub fn select_semver(
    tags: &[String],
    expr: &str,
    filter: Option<&str>,
    url: &str,
) -> Result<String, OciRepositoryError> {
    let filter = match filter {
        Some(f) => Some(
            regex::Regex::new(f).map_err(|e| OciRepositoryError::SemverFilter {
                detail: e.to_string(),
            })?,
        ),
        None => None,
    };
    let constraint = Constraint::parse(expr).map_err(|detail| OciRepositoryError::SemverParse {
        expr: expr.to_owned(),
        detail,
    })?;
    let mut best: Option<(semver::Version, &String)> = None;
    for tag in tags {
        if filter.as_ref().is_some_and(|f| !f.is_match(tag)) {
            continue;
        }
        let Ok(version) = semver::Version::parse(tag.strip_prefix('v').unwrap_or(tag)) else {
            continue;
        };
        if !constraint.matches(&version) {
            continue;
        }
        let better = match &best {
            None => true,
            Some((b, _)) => version.cmp_precedence(b) == std::cmp::Ordering::Greater,
        };
        if better {
            best = Some((version, tag));
        }
    }
    best.map(|(_, tag)| tag.clone())
        .ok_or_else(|| OciRepositoryError::NoSemverMatch {
            url: url.to_owned(),
            expr: expr.to_owned(),
        })
}

/// Flux's revision string: `<tag>@<digest>` for a tag, the digest alone for a digest reference.
pub fn revision(tag: Option<&str>, digest: &str) -> String {
    match tag {
        Some(tag) => format!("{tag}@{digest}"),
        None => digest.to_owned(),
    }
}

/// What Flux resolves an `OCIRepository` to before verifying: the tag (if any), the artifact's
/// descriptor, the revision string and the digest reference notation-go is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedArtifact {
    /// The tag `spec.ref` selected (after semver selection), `None` for a digest reference.
    pub tag: Option<String>,
    /// The artifact's descriptor as the registry resolves it; for a digest reference the digest
    /// alone (Flux resolves nothing before verifying it).
    pub descriptor: crate::source::Descriptor,
    /// `<tag>@sha256:...`, or the digest alone.
    pub revision: String,
    /// `registry/repository@sha256:...` (Flux ≥ 1.9 verifies by digest).
    pub artifact_reference: String,
}

/// Why the artifact could not be selected.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// Semver selection failed.
    #[error(transparent)]
    Semver(#[from] OciRepositoryError),
    /// Listing tags failed (Flux: `failed to determine the artifact tag for '<url>': <err>`).
    #[error("failed to determine the artifact tag for '{url}': {error}")]
    Tags {
        /// `spec.url`.
        url: String,
        /// The registry error.
        error: crate::source::registry::RegistryError,
    },
    /// Resolving the digest failed (Flux: `failed to determine artifact digest: <err>`).
    #[error("failed to determine artifact digest: {0}")]
    Digest(crate::source::registry::RegistryError),
    /// `spec.ref.digest` is no digest go-containerregistry's `v1.NewHash` reads.
    #[error("failed to determine artifact digest: {0}")]
    InvalidDigest(String),
}

/// go-containerregistry's `v1.NewHash` (`Hash.parse`): `sha256:` and 64 lower-case hex digits,
/// with its texts.
fn parse_hash(text: &str) -> Result<(), String> {
    use crate::golang::quote::go_quote;
    let parts: Vec<&str> = text.split(':').collect();
    let [algorithm, hex] = parts.as_slice() else {
        return Err(format!("cannot parse hash: {}", go_quote(text)));
    };
    if let Some(c) = hex.chars().find(|c| !matches!(c, '0'..='9' | 'a'..='f')) {
        return Err(format!("found non-hex character in hash: {c}"));
    }
    if *algorithm != "sha256" {
        return Err(format!("unsupported hash: {}", go_quote(algorithm)));
    }
    if hex.len() != 64 {
        return Err(format!("wrong number of hex digits for {algorithm}: {hex}"));
    }
    Ok(())
}

/// Flux's `getArtifactRef` + `getRevision` against `client` (which must point at the
/// repository's registry and repository).
pub async fn select_artifact(
    repository: &OciRepository,
    client: &crate::source::registry::RegistryClient,
) -> Result<SelectedArtifact, SelectError> {
    use crate::source::SignatureSource;
    let tag = match &repository.artifact {
        ArtifactRef::Digest(_) => None,
        ArtifactRef::Tag(tag) => Some(tag.clone()),
        ArtifactRef::Semver { expr, filter } => {
            let tags = client
                .list_tags()
                .await
                .map_err(|error| SelectError::Tags {
                    url: repository.url.clone(),
                    error,
                })?;
            Some(select_semver(
                &tags,
                expr,
                filter.as_deref(),
                &repository.url,
            )?)
        }
    };
    let wanted = match (&repository.artifact, &tag) {
        // getRevision sends nothing for a digest reference (`gcrv1.NewHash(ref.DigestStr())`):
        // the first request is the verifier's own, so a digest the registry does not have (or a
        // registry that does not answer) fails verification, not selection. The descriptor
        // holds the digest alone; the verifier resolves it.
        (ArtifactRef::Digest(d), _) => {
            parse_hash(d).map_err(SelectError::InvalidDigest)?;
            return Ok(SelectedArtifact {
                revision: revision(None, d),
                artifact_reference: repository.repository.artifact_reference(d),
                tag: None,
                descriptor: crate::source::Descriptor {
                    digest: d.clone(),
                    ..crate::source::Descriptor::default()
                },
            });
        }
        (_, Some(t)) => t.clone(),
        (_, None) => "latest".to_owned(),
    };
    // For a tag, getRevision HEADs it (GET as fallback): a registry that cannot be reached ends
    // the reconcile before any verification step (exit 2 in the CLI contract).
    let descriptor = client.resolve(&wanted).await.map_err(SelectError::Digest)?;
    Ok(SelectedArtifact {
        revision: revision(tag.as_deref(), &descriptor.digest),
        artifact_reference: repository.repository.artifact_reference(&descriptor.digest),
        tag,
        descriptor,
    })
}

/// The semantics and signature options a verification runs with (what `verify`'s flags say).
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Flux or notation, and the source-controller version.
    pub settings: crate::settings::Settings,
    /// `MaxSignatureAttempts`.
    pub max_signatures: usize,
    /// Per-signature options.
    pub options: crate::verify::signature::SignatureOptions,
}

/// Verifies the artifact [`select_artifact`] chose, as source-controller ≥ 1.9 hands it to
/// notation-go: by digest, the revision `<tag>@<digest>` in the condition. `verify
/// --ocirepository` and `scan` both end here.
pub async fn verify_selected<St: crate::verify::signature::Stages>(
    client: &crate::source::registry::RegistryClient,
    repository: &OciRepository,
    selected: &SelectedArtifact,
    stages: Result<St, crate::verify::outcome::VerifyError>,
    warnings: Vec<String>,
    settings: &RunSettings,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::verify::run::RunOutcome {
    let request = crate::verify::run::VerifyRequest {
        reference: selected.artifact_reference.clone(),
        repository: repository.repository.repository_name(),
        wanted: selected.descriptor.digest.clone(),
        max_signatures: settings.max_signatures,
        warnings,
    };
    let mut outcome =
        crate::verify::run::verify(client, stages, settings.options.clone(), request, now).await;
    outcome.revision = selected.revision.clone();
    outcome
}

/// A Masterminds/semver v3 constraint: `||`-separated groups of comparators separated by spaces
/// or commas; hyphen ranges `a - b`; a bare version (partial or with `x`) is an exact match of
/// what it names, unlike Cargo's caret default, so bare versions are given `=` explicitly.
pub(crate) struct Constraint {
    groups: Vec<semver::VersionReq>,
}

impl Constraint {
    pub(crate) fn parse(expr: &str) -> Result<Constraint, String> {
        let mut groups = Vec::new();
        for group in expr.split("||") {
            let group = group.trim();
            if group.is_empty() {
                return Err(format!("improper constraint: {expr}"));
            }
            let mut comparators: Vec<String> = Vec::new();
            let tokens: Vec<&str> = group
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .collect();
            let mut i = 0;
            while let Some(token) = tokens.get(i) {
                if tokens.get(i + 1) == Some(&"-") {
                    let Some(upper) = tokens.get(i + 2) else {
                        return Err(format!("improper constraint: {expr}"));
                    };
                    comparators.push(format!(">={}", strip_v(token)));
                    comparators.push(format!("<={}", strip_v(upper)));
                    i += 3;
                    continue;
                }
                let op_len = token
                    .find(|c: char| c.is_ascii_alphanumeric() || c == '*')
                    .unwrap_or(token.len());
                let (op, version) = token.split_at(op_len);
                let op = match op {
                    "" | "=" | "==" => "=",
                    "!=" => return Err(format!("unsupported constraint operator != in {expr}")),
                    other => other,
                };
                let version = strip_v(version);
                if version.is_empty() {
                    // `>= 1.2`: operator and version separated by a space.
                    let Some(next) = tokens.get(i + 1) else {
                        return Err(format!("improper constraint: {expr}"));
                    };
                    comparators.push(format!("{op}{}", strip_v(next)));
                    i += 2;
                    continue;
                }
                if matches!(version, "*" | "x" | "X") {
                    comparators.push("*".into());
                } else {
                    comparators.push(format!("{op}{version}"));
                }
                i += 1;
            }
            let text = comparators.join(", ");
            groups.push(
                semver::VersionReq::parse(&text)
                    .map_err(|e| format!("improper constraint: {expr}: {e}"))?,
            );
        }
        Ok(Constraint { groups })
    }

    pub(crate) fn matches(&self, version: &semver::Version) -> bool {
        self.groups.iter().any(|g| g.matches(version))
    }
}

fn strip_v(s: &str) -> &str {
    s.strip_prefix('v').unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLUX_DOCS_EXAMPLE: &str = r#"---
apiVersion: v1
kind: Namespace
metadata:
  name: source-system
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: podinfo
  namespace: source-system
spec:
  interval: 5m
  url: oci://ghcr.io/stefanprodan/manifests/podinfo
  ref:
    semver: "6.6.x"
  verify:
    provider: notation
    secretRef:
      name: notation-config
---
apiVersion: v1
kind: Secret
metadata:
  name: notation-config
  namespace: source-system
type: Opaque
stringData:
  trustpolicy.json: "{}"
"#;

    #[test]
    fn reads_the_flux_docs_example() {
        let f = parse(FLUX_DOCS_EXAMPLE, "example.yaml").unwrap();
        let r = &f.repository;
        assert_eq!(r.name, "podinfo");
        assert_eq!(r.namespace, "source-system");
        assert_eq!(
            r.repository.repository_name(),
            "ghcr.io/stefanprodan/manifests/podinfo"
        );
        assert_eq!(
            r.artifact,
            ArtifactRef::Semver {
                expr: "6.6.x".into(),
                filter: None
            }
        );
        assert!(!r.insecure);
        assert_eq!(
            r.verify.as_ref().unwrap().secret_name.as_deref(),
            Some("notation-config")
        );
        let secret = f.secret_document.unwrap();
        assert!(secret.contains("notation-config") && secret.contains("trustpolicy.json"));
    }

    #[test]
    fn spec_provider_is_the_auth_provider_not_the_verify_provider() {
        use crate::source::registry::Provider;
        let f = parse(FLUX_DOCS_EXAMPLE, "x.yaml").unwrap();
        assert_eq!(f.repository.provider, Provider::Generic);
        let text =
            FLUX_DOCS_EXAMPLE.replace("  interval: 5m\n", "  interval: 5m\n  provider: azure\n");
        assert_ne!(text, FLUX_DOCS_EXAMPLE);
        let f = parse(&text, "x.yaml").unwrap();
        assert_eq!(f.repository.provider, Provider::Azure);
        assert_eq!(f.repository.registry_secret, None);
        let text = text.replace(
            "  interval: 5m\n",
            "  interval: 5m\n  secretRef:\n    name: acr-pull\n",
        );
        let f = parse(&text, "x.yaml").unwrap();
        assert_eq!(f.repository.registry_secret.as_deref(), Some("acr-pull"));
        let text =
            FLUX_DOCS_EXAMPLE.replace("  interval: 5m\n", "  interval: 5m\n  provider: ibm\n");
        assert_eq!(
            parse(&text, "x.yaml").unwrap_err().to_string(),
            "x.yaml: OCIRepository source-system/podinfo: field spec.provider: Unsupported value: \"ibm\": supported values: \"generic\", \"aws\", \"azure\", \"gcp\""
        );
    }

    #[test]
    fn secret_is_looked_up_in_the_repository_namespace() {
        let text = FLUX_DOCS_EXAMPLE.replace(
            "  namespace: source-system\ntype",
            "  namespace: other\ntype",
        );
        let f = parse(&text, "x.yaml").unwrap();
        assert!(f.secret_document.is_none());
    }

    #[test]
    fn digests_are_read_as_go_containerregistry_reads_them() {
        let d = format!("sha256:{}", "a".repeat(64));
        assert_eq!(parse_hash(&d), Ok(()));
        assert_eq!(parse_hash("abc").unwrap_err(), "cannot parse hash: \"abc\"");
        assert_eq!(
            parse_hash("sha256:ABC").unwrap_err(),
            "found non-hex character in hash: A"
        );
        assert_eq!(
            parse_hash(&format!("sha512:{}", "a".repeat(128))).unwrap_err(),
            "unsupported hash: \"sha512\""
        );
        assert_eq!(
            parse_hash("sha256:abc").unwrap_err(),
            "wrong number of hex digits for sha256: abc"
        );
    }

    #[test]
    fn ref_precedence_is_digest_semver_tag_latest() {
        let doc = |r: &str| {
            format!("apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: OCIRepository\nmetadata: {{name: a}}\nspec:\n  url: oci://r.example/app\n  insecure: true\n  ref: {r}\n")
        };
        let d = "sha256:".to_owned() + &"a".repeat(64);
        let f = parse(
            &doc(&format!("{{digest: '{d}', semver: '1.x', tag: t}}")),
            "f",
        )
        .unwrap();
        assert_eq!(f.repository.artifact, ArtifactRef::Digest(d));
        assert!(f.repository.insecure);
        assert_eq!(f.repository.namespace, "default");
        let f = parse(&doc("{semver: '1.x', semverFilter: '.*-rc', tag: t}"), "f").unwrap();
        assert_eq!(
            f.repository.artifact,
            ArtifactRef::Semver {
                expr: "1.x".into(),
                filter: Some(".*-rc".into())
            }
        );
        let f = parse(&doc("{tag: t}"), "f").unwrap();
        assert_eq!(f.repository.artifact, ArtifactRef::Tag("t".into()));
        let f = parse(&doc("{}"), "f").unwrap();
        assert_eq!(f.repository.artifact, ArtifactRef::Tag("latest".into()));
        assert!(f.repository.verify.is_none());
    }

    #[test]
    fn url_rules_and_messages_are_fluxs() {
        assert_eq!(
            parse_url("ghcr.io/a/b").unwrap_err().to_string(),
            "URL validation failed for 'ghcr.io/a/b': URL must be in format 'oci://<domain>/<org>/<repo>'"
        );
        assert_eq!(
            parse_url("oci://ghcr.io/a/b:v1").unwrap_err().to_string(),
            "URL validation failed for 'oci://ghcr.io/a/b:v1': URL must not contain a tag; remove ':v1'"
        );
        assert_eq!(
            parse_url("oci://localhost:5000/app")
                .unwrap()
                .repository_name(),
            "localhost:5000/app"
        );
        assert_eq!(
            parse_url("oci://docker.io/nginx")
                .unwrap()
                .repository_name(),
            "index.docker.io/library/nginx"
        );
        assert_eq!(
            parse_url("oci://localhost/foo").unwrap().repository_name(),
            "index.docker.io/localhost/foo"
        );
    }

    #[test]
    fn provider_defaults_to_cosign_and_must_be_known() {
        let text = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: a, namespace: n}\nspec: {url: 'oci://r.example/app', verify: {secretRef: {name: s}}}\n";
        let v = parse(text, "f").unwrap().repository.verify.unwrap();
        assert_eq!(v.provider, Provider::Cosign);
        assert!(!v.match_oidc_identity);
        let keyless = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: a, namespace: n}\nspec: {url: 'oci://r.example/app', verify: {provider: cosign, matchOIDCIdentity: [{issuer: x, subject: y}]}}\n";
        let v = parse(keyless, "f").unwrap().repository.verify.unwrap();
        assert!(v.match_oidc_identity && v.secret_name.is_none());
        let other = text.replace("verify: {", "verify: {provider: gpg, ");
        assert_eq!(
            parse(&other, "f").unwrap_err().to_string(),
            "OCIRepository n/a: spec.verify.provider is \"gpg\"; Flux knows the providers \"cosign\" and \"notation\""
        );
        assert!(matches!(
            parse("kind: Secret\n", "f"),
            Err(OciRepositoryError::NotFound { .. })
        ));
        assert!(matches!(
            parse("a: [\n", "f"),
            Err(OciRepositoryError::Syntax { .. })
        ));
    }

    #[test]
    fn semver_selection_follows_flux() {
        let tags: Vec<String> = [
            "6.5.0",
            "v6.6.1",
            "6.6.3",
            "6.6.10-rc.1",
            "6.7.0",
            "latest",
            "06.6.9",
            "6.6.2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(select_semver(&tags, "6.6.x", None, "u").unwrap(), "6.6.3");
        assert_eq!(
            select_semver(&tags, ">=6.0.0 <6.7.0", None, "u").unwrap(),
            "6.6.3"
        );
        assert_eq!(
            select_semver(&tags, "6.6", None, "u").unwrap(),
            "6.6.3",
            "bare partial version is =, not ^"
        );
        assert_eq!(select_semver(&tags, "^6.0", None, "u").unwrap(), "6.7.0");
        assert_eq!(
            select_semver(&tags, "< 6.6.2 || 6.5.0 - 6.5.9", None, "u").unwrap(),
            "v6.6.1"
        );
        assert_eq!(
            select_semver(&tags, "*", Some("^v"), "u").unwrap(),
            "v6.6.1"
        );
        assert_eq!(
            select_semver(&tags, "7.x", None, "oci://r/a")
                .unwrap_err()
                .to_string(),
            "failed to determine the artifact tag for 'oci://r/a': no match found for semver: 7.x"
        );
        assert!(matches!(
            select_semver(&tags, "not a version", None, "u"),
            Err(OciRepositoryError::SemverParse { .. })
        ));
        assert_eq!(revision(Some("6.6.3"), "sha256:ab"), "6.6.3@sha256:ab");
        assert_eq!(revision(None, "sha256:ab"), "sha256:ab");
    }
}
