//! `fluxverify verify`.
use super::{not_yet, Exit};
use crate::{LayoutArgs, ModeArgs, RegistryArgs, TrustArgs};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// `registry/repository:tag`, `registry/repository@sha256:...` or `registry/repository:tag@sha256:...`
    /// (with --oci-layout: a tag or `@sha256:...` inside the layout).
    pub reference: Option<String>,
    /// An OCIRepository manifest to take url, ref, insecure and verify.secretRef from.
    #[arg(long, value_name = "FILE")]
    pub ocirepository: Option<PathBuf>,
    #[command(flatten)]
    pub trust: TrustArgs,
    #[command(flatten)]
    pub mode: ModeArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub layout: LayoutArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

pub fn run(_args: VerifyArgs) -> anyhow::Result<Exit> {
    not_yet("verify")
}
