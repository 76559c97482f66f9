//! Step 2, the verification plugin: a signature naming one (`io.cncf.notary.verificationPlugin`)
//! cannot be verified here; Flux has no plugin manager, the notation CLI finds no plugin.

use super::{
    SignatureOptions, VerifiedEnvelope, VERIFICATION_PLUGIN, VERIFICATION_PLUGIN_MIN_VERSION,
};
use crate::settings::Mode;
use crate::verify::outcome::SignatureError;

/// A critical string extended attribute, as notation-go's `extractCriticalStringExtendedAttribute`.
fn critical_string(envelope: &VerifiedEnvelope, key: &str) -> Option<Result<String, String>> {
    let attribute = envelope.extended_attributes.iter().find(|a| a.key == key)?;
    if !attribute.critical {
        return Some(Err(format!("{key} is not a critical Extended attribute")));
    }
    Some(match &attribute.value {
        serde_json::Value::String(s) => Ok(s.clone()),
        _ => Err(format!("{key} from extended attribute is not a string")),
    })
}

pub(super) fn check(
    envelope: &VerifiedEnvelope,
    options: &SignatureOptions,
) -> Result<(), SignatureError> {
    let name = match critical_string(envelope, VERIFICATION_PLUGIN) {
        None => return Ok(()),
        Some(Err(e)) => return Err(SignatureError::Plugin(e)),
        Some(Ok(name)) if name.trim().is_empty() => {
            return Err(SignatureError::Plugin(format!(
                "{VERIFICATION_PLUGIN} from extended attribute is an empty string"
            )))
        }
        Some(Ok(name)) => name,
    };
    match critical_string(envelope, VERIFICATION_PLUGIN_MIN_VERSION) {
        None => {}
        Some(Err(e)) => {
            return Err(SignatureError::Plugin(format!(
                "error while getting plugin minimum version, error: {e}"
            )))
        }
        Some(Ok(v)) if v.trim().is_empty() => {
            return Err(SignatureError::Plugin(format!(
                "error while getting plugin minimum version, error: {VERIFICATION_PLUGIN_MIN_VERSION} from extended attribute is an empty string"
            )))
        }
        Some(Ok(v)) if semver::Version::parse(v.trim_start_matches('v')).is_err() => {
            return Err(SignatureError::Plugin(format!(
                "error while getting plugin minimum version, error: value {v:?} for attribute {VERIFICATION_PLUGIN_MIN_VERSION:?} is not a valid SemVer"
            )))
        }
        Some(Ok(_)) => {}
    }
    Err(SignatureError::Plugin(match options.mode {
        // source-controller builds its verifier with a nil plugin manager.
        Mode::Flux => "plugin unsupported due to nil verifier.pluginManager".to_string(),
        // fluxverify runs no plugins; the notation CLI with none installed says this.
        Mode::Notation => format!(
            "error while locating the verification plugin {name:?}, make sure the plugin is installed successfully before verifying the signature. error: plugin executable file is either not found or inaccessible: stat {}/{name}/notation-{name}: no such file or directory",
            options.plugin_dir
        ),
    }))
}
