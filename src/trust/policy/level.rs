//! Verification levels, validation types and actions, and notation-go's override rules that
//! turn a level plus `override` into the `custom` level.

use crate::pki::chain::go_quote;
use std::collections::BTreeMap;
use std::fmt;

/// The notation validation types, in notation-go's declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValidationType {
    /// Envelope signature and structure.
    Integrity,
    /// Trust store and trusted identities.
    Authenticity,
    /// Certificate validity at (authentic) signing time.
    AuthenticTimestamp,
    /// The envelope's own expiry.
    Expiry,
    /// OCSP / CRL status of the chain.
    Revocation,
}

impl ValidationType {
    /// All types, in notation-go's `ValidationTypes` order.
    pub const ALL: [ValidationType; 5] = [
        Self::Integrity,
        Self::Authenticity,
        Self::AuthenticTimestamp,
        Self::Expiry,
        Self::Revocation,
    ];

    /// notation's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::Integrity => "integrity",
            Self::Authenticity => "authenticity",
            Self::AuthenticTimestamp => "authenticTimestamp",
            Self::Expiry => "expiry",
            Self::Revocation => "revocation",
        }
    }

    /// Parses notation's exact (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ValidationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a failed validation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// A failure fails the signature.
    Enforce,
    /// A failure is recorded and verification goes on.
    Log,
    /// The validation does not run.
    Skip,
}

impl Action {
    /// All actions, in notation-go's `ValidationActions` order.
    pub const ALL: [Action; 3] = [Self::Enforce, Self::Log, Self::Skip];

    /// notation's name of the action.
    pub fn name(self) -> &'static str {
        match self {
            Self::Enforce => "enforce",
            Self::Log => "log",
            Self::Skip => "skip",
        }
    }

    /// Parses notation's exact (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A verification level: a name and an action per validation type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerificationLevel {
    name: &'static str,
    actions: [Action; 5],
}

use Action::{Enforce as E, Log as L, Skip as S};

impl VerificationLevel {
    /// `strict`: everything enforced.
    pub const STRICT: Self = Self {
        name: "strict",
        actions: [E, E, E, E, E],
    };
    /// `permissive`: integrity and authenticity enforced, the rest logged.
    pub const PERMISSIVE: Self = Self {
        name: "permissive",
        actions: [E, E, L, L, L],
    };
    /// `audit`: only integrity enforced.
    pub const AUDIT: Self = Self {
        name: "audit",
        actions: [E, L, L, L, L],
    };
    /// `skip`: nothing is checked.
    pub const SKIP: Self = Self {
        name: "skip",
        actions: [S, S, S, S, S],
    };

    /// The predefined levels, in notation-go's order.
    pub const PREDEFINED: [Self; 4] = [Self::STRICT, Self::PERMISSIVE, Self::AUDIT, Self::SKIP];

    /// The level's name (`custom` when overrides were applied).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The action for validation type `t`.
    pub fn action(&self, t: ValidationType) -> Action {
        self.actions
            .get(t.index())
            .copied()
            .unwrap_or(Action::Enforce)
    }

    /// Every type with its action, in notation-go's type order.
    pub fn actions(&self) -> impl Iterator<Item = (ValidationType, Action)> + '_ {
        ValidationType::ALL.into_iter().map(|t| (t, self.action(t)))
    }

    /// Whether this is the `skip` level.
    pub fn is_skip(&self) -> bool {
        self.name == "skip"
    }
}

/// Why `signatureVerification` does not give a level; `Display` is notation-go's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LevelError {
    /// `level` missing or empty.
    #[error("signature verification level is empty or missing in the trust policy statement")]
    Empty,
    /// Not one of the four level names.
    #[error("invalid signature verification level {}", go_quote(.0))]
    Invalid(String),
    /// `skip` with overrides.
    #[error(
        "signature verification level \"skip\" can't be used to customize signature verification"
    )]
    SkipCustomised,
    /// Override key that is not a validation type.
    #[error("verification type {} in custom signature verification is not supported, supported values are [\"integrity\" \"authenticity\" \"authenticTimestamp\" \"expiry\" \"revocation\"]", go_quote(.0))]
    UnsupportedType(String),
    /// Override value that is not an action.
    #[error("verification action {} in custom signature verification is not supported, supported values are [\"enforce\" \"log\" \"skip\"]", go_quote(.0))]
    UnsupportedAction(String),
    /// Any override of integrity.
    #[error("{} verification can not be overridden in custom signature verification", go_quote(.0))]
    IntegrityOverridden(String),
    /// `skip` for anything but revocation.
    #[error("{} verification can not be skipped in custom signature verification", go_quote(.0))]
    NotSkippable(String),
}

/// notation-go's `GetVerificationLevel`.
///
/// notation-go walks the override map in Go's random order, so with several bad entries the
/// reported one varies between runs; here entries are taken in key order, which always reports
/// one of the errors notation could report.
pub fn verification_level(
    level: &str,
    overrides: &BTreeMap<String, String>,
) -> Result<VerificationLevel, LevelError> {
    if level.is_empty() {
        return Err(LevelError::Empty);
    }
    let base = VerificationLevel::PREDEFINED
        .into_iter()
        .find(|l| l.name == level)
        .ok_or_else(|| LevelError::Invalid(level.to_string()))?;
    if overrides.is_empty() {
        return Ok(base);
    }
    if base.is_skip() {
        return Err(LevelError::SkipCustomised);
    }
    let mut custom = VerificationLevel {
        name: "custom",
        actions: base.actions,
    };
    for (key, value) in overrides {
        let t = ValidationType::from_name(key)
            .ok_or_else(|| LevelError::UnsupportedType(key.clone()))?;
        let action =
            Action::from_name(value).ok_or_else(|| LevelError::UnsupportedAction(value.clone()))?;
        if t == ValidationType::Integrity {
            return Err(LevelError::IntegrityOverridden(key.clone()));
        }
        if t != ValidationType::Revocation && action == Action::Skip {
            return Err(LevelError::NotSkippable(key.clone()));
        }
        if let Some(slot) = custom.actions.get_mut(t.index()) {
            *slot = action;
        }
    }
    Ok(custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ov(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn table() {
        let p = verification_level("permissive", &ov(&[])).unwrap();
        assert_eq!(p.name(), "permissive");
        assert_eq!(p.action(ValidationType::Authenticity), Action::Enforce);
        assert_eq!(p.action(ValidationType::Expiry), Action::Log);
        let a = VerificationLevel::AUDIT;
        assert_eq!(a.action(ValidationType::Authenticity), Action::Log);
        assert_eq!(a.action(ValidationType::Integrity), Action::Enforce);
    }

    #[test]
    fn overrides() {
        let c = verification_level("strict", &ov(&[("revocation", "skip"), ("expiry", "log")]))
            .unwrap();
        assert_eq!(c.name(), "custom");
        assert_eq!(c.action(ValidationType::Revocation), Action::Skip);
        assert_eq!(c.action(ValidationType::Expiry), Action::Log);
        assert_eq!(c.action(ValidationType::Authenticity), Action::Enforce);
        let e =
            |l: &str, o: &[(&str, &str)]| verification_level(l, &ov(o)).unwrap_err().to_string();
        assert_eq!(
            e("permissive", &[("integrity", "log")]),
            "\"integrity\" verification can not be overridden in custom signature verification"
        );
        assert_eq!(
            e("strict", &[("expiry", "skip")]),
            "\"expiry\" verification can not be skipped in custom signature verification"
        );
        assert_eq!(
            e("skip", &[("expiry", "log")]),
            "signature verification level \"skip\" can't be used to customize signature verification"
        );
        assert_eq!(
            e("Strict", &[]),
            "invalid signature verification level \"Strict\""
        );
        assert_eq!(
            e("", &[]),
            "signature verification level is empty or missing in the trust policy statement"
        );
        assert!(e("strict", &[("Expiry", "log")]).starts_with("verification type \"Expiry\""));
        assert!(e("strict", &[("expiry", "Log")]).starts_with("verification action \"Log\""));
    }
}
