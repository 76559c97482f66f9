//! `fluxverify certs`.
use super::{not_yet, Exit};
use crate::TrustArgs;
use clap::Args;

/// Arguments of `certs`.
#[derive(Debug, Args)]
pub struct CertsArgs {
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

pub fn run(_args: CertsArgs) -> anyhow::Result<Exit> {
    not_yet("certs")
}
