//! `fluxverify envelope verify|inspect`.
use super::{not_yet, Exit};
use crate::{ModeArgs, TrustArgs};
use clap::Args;
use std::path::PathBuf;

/// Envelope media type, when it cannot be told from the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EnvelopeMediaType {
    /// `application/jose+json`
    #[value(name = "application/jose+json")]
    Jws,
    /// `application/cose`
    #[value(name = "application/cose")]
    Cose,
}

/// Arguments of `envelope verify`.
#[derive(Debug, Args)]
pub struct EnvelopeVerifyArgs {
    /// The signature envelope file.
    pub file: PathBuf,
    /// The artifact reference the signature is verified for, `registry/repository@sha256:...`.
    #[arg(long, value_name = "REGISTRY/REPO@sha256:...")]
    pub reference: String,
    /// The signed artifact's OCI descriptor, as JSON text or `@file`.
    #[arg(long, value_name = "DESCRIPTOR")]
    pub subject: String,
    /// Envelope media type (default: from the content).
    #[arg(long, value_enum)]
    pub media_type: Option<EnvelopeMediaType>,
    #[command(flatten)]
    pub trust: TrustArgs,
    #[command(flatten)]
    pub mode: ModeArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

/// Arguments of `envelope inspect`.
#[derive(Debug, Args)]
pub struct EnvelopeInspectArgs {
    /// The signature envelope file.
    pub file: PathBuf,
    /// Envelope media type (default: from the content).
    #[arg(long, value_enum)]
    pub media_type: Option<EnvelopeMediaType>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

pub fn run_verify(_args: EnvelopeVerifyArgs) -> anyhow::Result<Exit> {
    not_yet("envelope verify")
}

pub fn run_inspect(_args: EnvelopeInspectArgs) -> anyhow::Result<Exit> {
    not_yet("envelope inspect")
}
