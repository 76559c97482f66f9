//! Value parsers of the flags several commands share, so that a flag is read the same way by
//! every command that takes it, and a bad value is a usage error that lists what is accepted
//! (the same list the shell completions offer).
use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use fluxverify::settings::{FluxVersion, FLUX_RELEASES};
use fluxverify::source::registry::Provider;
use std::ffi::OsStr;

/// A usage error for `value` of `arg`, listing `valid` (as clap words its own).
fn invalid_value(
    cmd: &clap::Command,
    arg: Option<&clap::Arg>,
    value: &OsStr,
    valid: Vec<String>,
    tip: Option<&str>,
) -> clap::Error {
    let mut error = clap::Error::new(ErrorKind::InvalidValue).with_cmd(cmd);
    let arg = arg.map_or_else(|| "...".to_owned(), ToString::to_string);
    error.insert(ContextKind::InvalidArg, ContextValue::String(arg));
    error.insert(
        ContextKind::InvalidValue,
        ContextValue::String(value.to_string_lossy().into_owned()),
    );
    error.insert(ContextKind::ValidValue, ContextValue::Strings(valid));
    if let Some(tip) = tip {
        error.insert(
            ContextKind::Suggested,
            ContextValue::StyledStrs(vec![tip.to_owned().into()]),
        );
    }
    error
}

/// `--flux-version`, for every command that takes it: [`FluxVersion::parse`]. The values listed
/// (help, completion, the error) are the `x.y` releases; `x.y.z` and a leading `v` parse too.
#[derive(Debug, Clone, Copy, Default)]
pub struct FluxVersionParser;

/// Said under the list of a bad `--flux-version`.
const FLUX_VERSION_TIP: &str =
    "a patch release (1.9.1, 2.8.3) or a leading v (v1.9) is accepted too";

impl FluxVersionParser {
    /// Each listed value with what it stands for: a controller release names its Flux release
    /// and the other way round.
    fn listed() -> impl Iterator<Item = PossibleValue> {
        let controllers = FLUX_RELEASES.iter().map(|(flux, controller)| {
            PossibleValue::new(*controller)
                .help(format!("source-controller {controller} (Flux {flux})"))
        });
        let fluxes = FLUX_RELEASES.iter().map(|(flux, controller)| {
            PossibleValue::new(*flux).help(format!("Flux {flux} (source-controller {controller})"))
        });
        controllers.chain(fluxes)
    }
}

impl TypedValueParser for FluxVersionParser {
    type Value = FluxVersion;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<FluxVersion, clap::Error> {
        value.to_str().and_then(FluxVersion::parse).ok_or_else(|| {
            let valid = Self::listed().map(|v| v.get_name().to_owned()).collect();
            invalid_value(cmd, arg, value, valid, Some(FLUX_VERSION_TIP))
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(Self::listed()))
    }
}

/// The verification provider: Flux's `spec.verify.provider`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerifyProvider {
    /// Notary Project signatures.
    Notation,
    /// cosign signatures (static keys or keyless).
    Cosign,
}

impl VerifyProvider {
    /// The `spec.verify.provider` value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Notation => "notation",
            Self::Cosign => "cosign",
        }
    }
}

/// A `--provider` value: Flux's `spec.provider`, or (verify only) `notation`/`cosign`, the
/// spelling `--verify-provider` had before it was a flag of its own. The two sets share no
/// name, so the old spelling stays unambiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderFlag {
    /// Flux's `spec.provider`: where registry credentials come from.
    Registry(Provider),
    /// `--provider notation|cosign`: the old spelling of `--verify-provider`.
    OldVerifyProvider(VerifyProvider),
}

/// Parses `--provider`: the registry providers, and with [`ProviderParser::with_old_spelling`]
/// the verification providers too (not listed in help or completion).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProviderParser {
    old_spelling: bool,
}

impl ProviderParser {
    /// `generic`, `aws`, `azure`, `gcp`.
    pub fn registry() -> Self {
        Self {
            old_spelling: false,
        }
    }

    /// Also `notation` and `cosign`, read as `--verify-provider` (verify).
    pub fn with_old_spelling() -> Self {
        Self { old_spelling: true }
    }
}

impl TypedValueParser for ProviderParser {
    type Value = ProviderFlag;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<ProviderFlag, clap::Error> {
        let text = value.to_str().unwrap_or_default();
        if let Some(provider) = Provider::from_name(text) {
            return Ok(ProviderFlag::Registry(provider));
        }
        let old = [VerifyProvider::Notation, VerifyProvider::Cosign]
            .into_iter()
            .find(|p| p.name() == text);
        match old {
            Some(provider) if self.old_spelling => Ok(ProviderFlag::OldVerifyProvider(provider)),
            _ => {
                let valid = Provider::NAMES.iter().map(|n| (*n).to_owned()).collect();
                let tip = old.map(|_| {
                    "notation and cosign are verification providers (Flux's spec.verify.provider); --provider names spec.provider, where registry credentials come from"
                });
                Err(invalid_value(cmd, arg, value, valid, tip))
            }
        }
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            Provider::NAMES.iter().map(|name| PossibleValue::new(*name)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_flux_version_parses_to_the_controller_it_names() {
        let listed: Vec<PossibleValue> = FluxVersionParser::listed().collect();
        assert_eq!(listed.len(), 2 * FLUX_RELEASES.len());
        for (flux, controller) in FLUX_RELEASES {
            assert_eq!(FluxVersion::parse(flux), FluxVersion::parse(controller));
            assert!(FluxVersion::parse(controller).is_some(), "{controller}");
        }
        for value in &listed {
            assert!(FluxVersion::parse(value.get_name()).is_some(), "{value:?}");
        }
    }
}
