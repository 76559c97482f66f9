//! Turns the trust and mode flags into the verifier's stages and settings.
use crate::{ModeArgs, Reproduce, TrustArgs};
use fluxverify::settings::FluxVersion;
use fluxverify::settings::Mode;
use fluxverify::trust::material::{TrustInput, TrustMaterial};
use fluxverify::trust::policy::Dialect;
use fluxverify::verify::signature::SignatureOptions;
use fluxverify::verify::signatures::FLUX_MAX_SIGNATURES;
use fluxverify::verify::stages::stages_from_material;
use std::collections::BTreeMap;

/// notation's `--max-signatures` default.
pub const NOTATION_MAX_SIGNATURES: usize = 100;

/// Mode-dependent settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    pub flux_version: FluxVersion,
    pub max_signatures: usize,
    pub user_metadata: BTreeMap<String, String>,
}

impl Settings {
    /// `--mode` and `--flux-version` alone (policy): no user metadata, the signature limit of
    /// the mode.
    pub fn reproducing(args: &Reproduce) -> Self {
        let mode = Self::mode(args);
        Self {
            mode,
            flux_version: args.release.flux_version,
            max_signatures: match mode {
                Mode::Flux => FLUX_MAX_SIGNATURES,
                Mode::Notation => NOTATION_MAX_SIGNATURES,
            },
            user_metadata: BTreeMap::new(),
        }
    }

    fn mode(args: &Reproduce) -> Mode {
        match args.mode {
            crate::Mode::Flux => Mode::Flux,
            crate::Mode::Notation => Mode::Notation,
        }
    }

    pub fn from_args(args: &ModeArgs) -> anyhow::Result<Self> {
        let mode = Self::mode(&args.reproduce);
        let flux_version = args.reproduce.release.flux_version;
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

    /// The settings the library's verification entry points take.
    pub fn run_settings(&self) -> fluxverify::flux::ocirepository::RunSettings {
        fluxverify::flux::ocirepository::RunSettings {
            settings: self.common(),
            max_signatures: self.max_signatures,
            options: self.signature_options(),
        }
    }

    /// The settings every stage of the library reads.
    pub fn common(&self) -> fluxverify::settings::Settings {
        fluxverify::settings::Settings {
            mode: self.mode,
            flux_version: self.flux_version,
        }
    }

    pub fn signature_options(&self) -> SignatureOptions {
        SignatureOptions {
            mode: self.mode,
            user_metadata: self.user_metadata.clone(),
            plugin_dir: plugin_dir(),
            timestamps_supported: self.common().timestamps_supported(),
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
pub use fluxverify::verify::stages::BuiltStages as Built;

/// Reads the trust material. Unreadable inputs are errors (exit 2); material Flux or notation
/// would reject becomes the verification error the report carries (exit 1).
pub fn build(trust: &TrustArgs, settings: &Settings) -> anyhow::Result<Built> {
    let input = TrustInput {
        secret: trust.secret.clone(),
        secret_name: trust.secret_name.clone(),
        trust_policy: trust.trust_policy.clone(),
        certs: trust.certs.clone(),
    };
    let dialect = match settings.mode {
        Mode::Flux => Dialect::Flux,
        Mode::Notation => Dialect::Notation,
    };
    Ok(stages_from_material(
        TrustMaterial::read(&input, dialect),
        settings.common(),
    )?)
}
