//! `fluxverify policy check|show|explain`.
use super::{not_yet, Exit};
use crate::{ModeArgs, TrustArgs};
use clap::Args;

/// Arguments of `policy check` and `policy show`.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(flatten)]
    pub trust: TrustArgs,
    #[command(flatten)]
    pub mode: ModeArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

/// Arguments of `policy explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Artifact reference to explain, `registry/repository@sha256:...`.
    pub reference: String,
}

pub fn run_check(_args: PolicyArgs) -> anyhow::Result<Exit> {
    not_yet("policy check")
}

pub fn run_show(_args: PolicyArgs) -> anyhow::Result<Exit> {
    not_yet("policy show")
}

pub fn run_explain(_args: ExplainArgs) -> anyhow::Result<Exit> {
    not_yet("policy explain")
}
