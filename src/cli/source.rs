//! Which signature source a command reads: an OCI image layout on disk or a registry.
//! Commands are generic over `SignatureSource`; this picks one.
use crate::{LayoutArgs, RegistryArgs};
use anyhow::Context as _;
use fluxverify::report::hints::{self, Origin, RegistryFacts};
use fluxverify::source::layout::OciLayout;
use fluxverify::source::reference::{Normalisation, Reference};
use fluxverify::source::registry::{RegistryClient, RegistryOptions};
use std::path::Path;

/// An OCI layout and how the reference given on the command line reads inside it.
#[derive(Debug)]
pub struct LayoutSource {
    layout: OciLayout,
    /// What notation prints for the artifact: `<dir>` (ls) before `@digest`.
    pub display: String,
    /// The tag or `sha256:` digest inside the layout.
    pub wanted: String,
    /// `registry/repository` the trust policy scopes are matched against.
    pub scope: String,
}

impl LayoutSource {
    /// The layout.
    pub fn source(&self) -> &OciLayout {
        &self.layout
    }
}

/// A registry repository and how the reference given on the command line reads in it.
#[derive(Debug)]
pub struct RegistrySource {
    client: RegistryClient,
    /// What notation prints for the artifact: `registry/repository` before `@digest`.
    pub display: String,
    /// The tag or `sha256:` digest in the repository (a digest wins over a tag).
    pub wanted: String,
    /// `registry/repository`, normalised as the mode requires (trust policy scopes).
    pub scope: String,
    /// The tag, when the reference names one and no digest.
    pub tag: Option<String>,
}

impl RegistrySource {
    /// The registry client.
    pub fn source(&self) -> &RegistryClient {
        &self.client
    }
}

/// A signature source chosen from the command line.
#[derive(Debug)]
pub enum Source {
    /// `--oci-layout DIR`.
    Layout(LayoutSource),
    /// A registry.
    Registry(RegistrySource),
}

/// The registry client settings the flags ask for.
pub fn registry_options(args: &RegistryArgs) -> RegistryOptions {
    let mut options = RegistryOptions::from_flags(
        args.plain_http,
        args.ca_file.clone(),
        args.insecure_skip_tls_verify,
        args.username.as_deref(),
        args.password.as_deref(),
    );
    options.provider = args.registry_provider().unwrap_or_default();
    options
}

/// What the hints need to know about the registry client after a run.
pub fn registry_facts(
    client: &RegistryClient,
    args: &RegistryArgs,
    origin: Origin,
) -> RegistryFacts {
    RegistryFacts {
        registry: client.registry().to_owned(),
        repository: client.repository().to_owned(),
        error: client.last_error(),
        credentials: client.credential_origin(),
        provider: registry_options(args).provider,
        origin,
    }
}

/// `error` of a command that read `source`, with the registry's hints attached.
pub fn with_registry_hints(
    error: anyhow::Error,
    source: &Source,
    args: &RegistryArgs,
) -> anyhow::Error {
    match source {
        Source::Registry(s) => {
            let facts = registry_facts(s.source(), args, Origin::Flags);
            super::with_hints(error, hints::for_registry(&facts))
        }
        Source::Layout(_) => error,
    }
}

/// Opens `reference` (`registry/repository:tag`, `@sha256:...` or both) on its registry.
/// Flux reads references with go-containerregistry's Docker Hub normalisation, the notation CLI
/// as typed.
pub fn open_registry(
    reference: &str,
    args: &RegistryArgs,
    normalisation: Normalisation,
) -> anyhow::Result<RegistrySource> {
    let parsed = Reference::parse(reference, normalisation)
        .with_context(|| format!("invalid reference {reference:?}"))?;
    let (wanted, tag) = match (&parsed.digest, &parsed.tag) {
        (Some(digest), _) => (digest.clone(), None),
        (None, Some(tag)) => (tag.clone(), Some(tag.clone())),
        (None, None) => anyhow::bail!(
            "{reference:?}: invalid reference: no tag or digest. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>"
        ),
    };
    let client = RegistryClient::for_reference(&parsed, registry_options(args))
        .with_context(|| format!("cannot reach the registry of {reference}"))?;
    let display = match normalisation {
        Normalisation::Notation => parsed.as_typed.clone(),
        Normalisation::Flux => parsed.repository_name(),
    };
    Ok(RegistrySource {
        client,
        display,
        wanted,
        scope: parsed.repository_name(),
        tag,
    })
}

/// Opens the source the flags name.
pub fn source_for(
    reference: &str,
    layout: &LayoutArgs,
    registry: &RegistryArgs,
) -> anyhow::Result<Source> {
    let Some(dir) = &layout.oci_layout else {
        return Ok(Source::Registry(open_registry(
            reference,
            registry,
            Normalisation::Notation,
        )?));
    };
    Ok(Source::Layout(open_layout(
        dir,
        reference,
        layout.scope.as_deref(),
    )?))
}

/// Opens a layout and reads `reference` inside it: a tag, `@sha256:...` or `sha256:...`, or a
/// full `registry/repository@sha256:...` (or `:tag`) whose repository is then the scope trust
/// policies are matched against. A `--scope` that names another repository is a usage error.
pub fn open_layout(
    dir: &Path,
    reference: &str,
    scope: Option<&str>,
) -> anyhow::Result<LayoutSource> {
    let (wanted, scope) = if reference.contains('/') {
        let parsed = Reference::parse(reference, Normalisation::Notation)
            .with_context(|| format!("invalid reference {reference:?}"))?;
        let repository = parsed.repository_name();
        if let Some(scope) = scope.filter(|s| *s != repository) {
            anyhow::bail!(
                "--scope {scope} is not the repository of {reference} ({repository}): give one of them"
            );
        }
        let Some(wanted) = parsed.digest.or(parsed.tag) else {
            anyhow::bail!("{reference:?}: no tag or digest to look up in the OCI layout");
        };
        (wanted, repository)
    } else {
        let Some(scope) = scope else {
            anyhow::bail!(
                "--oci-layout needs --scope REGISTRY/REPOSITORY (or a full registry/repository@sha256:... reference)"
            );
        };
        let wanted = reference
            .strip_prefix('@')
            .or_else(|| reference.strip_prefix(':'))
            .unwrap_or(reference)
            .to_string();
        (wanted, scope.to_string())
    };
    if wanted.is_empty() {
        anyhow::bail!("missing reference: give a tag or @sha256:<digest> inside the OCI layout");
    }
    // The layout error names the file; the context need not repeat the directory.
    let layout = OciLayout::open(dir).context("cannot open OCI layout")?;
    Ok(LayoutSource {
        layout,
        display: dir.display().to_string(),
        wanted,
        scope,
    })
}
