//! `fluxverify ls` and `fluxverify inspect`.
use super::{not_yet, Exit};
use crate::{LayoutArgs, RegistryArgs};
use clap::Args;

/// Arguments of `ls`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Artifact reference (with --oci-layout: a tag or `@sha256:...` inside the layout).
    pub reference: String,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub layout: LayoutArgs,
    /// Maximum number of signatures to list.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_signatures: usize,
}

/// Arguments of `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub list: ListArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

pub fn run_ls(_args: ListArgs) -> anyhow::Result<Exit> {
    not_yet("ls")
}

pub fn run_inspect(_args: InspectArgs) -> anyhow::Result<Exit> {
    not_yet("inspect")
}
