//! Turns the trust and mode flags into the verifier's stages and settings.
use crate::{ModeArgs, TrustArgs};
use anyhow::Context as _;
use fluxverify::flux::outcome::FluxVersion;
use fluxverify::verify::signature::SignatureOptions;
use fluxverify::verify::signatures::FLUX_MAX_SIGNATURES;
use fluxverify::verify::Mode;
use std::collections::BTreeMap;

/// Mode-dependent settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    pub flux_version: FluxVersion,
    pub max_signatures: usize,
    pub user_metadata: BTreeMap<String, String>,
}

impl Settings {
    pub fn from_args(args: &ModeArgs) -> anyhow::Result<Self> {
        let mode = match args.mode {
            crate::Mode::Flux => Mode::Flux,
            crate::Mode::Notation => Mode::Notation,
        };
        let flux_version = FluxVersion::parse(&args.flux_version)
            .with_context(|| format!("unknown --flux-version {}", args.flux_version))?;
        if args.max_signatures == 0 {
            anyhow::bail!("max-signatures value 0 must be a positive number");
        }
        let mut user_metadata = BTreeMap::new();
        for pair in &args.user_metadata {
            let Some((k, v)) = pair.split_once('=') else {
                anyhow::bail!("could not parse flag user-metadata: key-value pair requires \"=\" as separator");
            };
            user_metadata.insert(k.to_string(), v.to_string());
        }
        if mode == Mode::Flux && !user_metadata.is_empty() {
            anyhow::bail!("--user-metadata is a notation CLI feature; Flux passes no user metadata (use --mode notation)");
        }
        Ok(Self {
            mode,
            flux_version,
            max_signatures: match mode {
                Mode::Flux => FLUX_MAX_SIGNATURES,
                Mode::Notation => args.max_signatures,
            },
            user_metadata,
        })
    }

    pub fn signature_options(&self) -> SignatureOptions {
        SignatureOptions {
            mode: self.mode,
            user_metadata: self.user_metadata.clone(),
            plugin_dir: plugin_dir(),
            timestamps_supported: self.mode == Mode::Notation
                || self.flux_version.supports_timestamps(),
        }
    }
}

/// notation's plugin directory on Linux (`$XDG_CONFIG_HOME/notation/plugins`).
fn plugin_dir() -> String {
    let base = std::env::var("XDG_CONFIG_HOME")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOME").ok().map(|h| format!("{h}/.config")))
        .unwrap_or_else(|| ".config".into());
    format!("{base}/notation/plugins")
}

/// The stages, or the error Flux / notation would report for the trust material.
pub struct Built<S> {
    pub stages: Result<S, fluxverify::verify::outcome::VerifyError>,
    pub warnings: Vec<String>,
}

pub fn build(
    _trust: &TrustArgs,
    _settings: &Settings,
) -> anyhow::Result<Built<fluxverify::verify::signature::Unavailable>> {
    anyhow::bail!("trust material loading has not landed in this build yet")
}
