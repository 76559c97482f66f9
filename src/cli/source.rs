//! Which signature source a command reads: an OCI image layout on disk or (once the registry
//! client lands) a registry. Commands are generic over `SignatureSource`; this picks one.
use crate::{LayoutArgs, RegistryArgs};
use anyhow::Context as _;
use fluxverify::source::layout::OciLayout;
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

/// A signature source chosen from the command line.
#[derive(Debug)]
pub enum Source {
    /// `--oci-layout DIR`.
    Layout(LayoutSource),
}

/// Opens the source the flags name.
pub fn source_for(
    reference: &str,
    layout: &LayoutArgs,
    _registry: &RegistryArgs,
) -> anyhow::Result<Source> {
    let Some(dir) = &layout.oci_layout else {
        anyhow::bail!(
            "reading {reference:?} from a registry is not available in this build yet; use --oci-layout DIR --scope REGISTRY/REPOSITORY"
        );
    };
    Ok(Source::Layout(open_layout(
        dir,
        reference,
        layout.scope.as_deref(),
    )?))
}

/// Opens a layout and reads `reference` (`tag`, `@sha256:...` or `sha256:...`) inside it.
pub fn open_layout(
    dir: &Path,
    reference: &str,
    scope: Option<&str>,
) -> anyhow::Result<LayoutSource> {
    let layout = OciLayout::open(dir)
        .with_context(|| format!("cannot open OCI layout {}", dir.display()))?;
    let wanted = reference
        .strip_prefix('@')
        .or_else(|| reference.strip_prefix(':'))
        .unwrap_or(reference)
        .to_string();
    if wanted.is_empty() {
        anyhow::bail!("missing reference: give a tag or @sha256:<digest> inside the OCI layout");
    }
    Ok(LayoutSource {
        layout,
        display: dir.display().to_string(),
        wanted,
        scope: scope.unwrap_or_default().to_string(),
    })
}
