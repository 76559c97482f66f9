//! Settings every stage reads: whose behaviour to reproduce (Flux source-controller or the
//! notation CLI) and, for Flux, which source-controller release, with the behaviour switches that
//! follow from them. This module sits below all stages and imports none of them.

use std::fmt;

/// Whose behaviour to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Flux source-controller: any-name trust store, nil plugin manager, 3 signatures.
    #[default]
    Flux,
    /// The notation CLI v1.3.2: named trust stores, plugin manager, user metadata.
    Notation,
}

impl Mode {
    /// `flux` or `notation`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Flux => "flux",
            Self::Notation => "notation",
        }
    }
}

/// A source-controller release whose notation behaviour fluxverify reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FluxVersion {
    /// v1.3 (Flux 2.3): notation-go 1.1.0, no `tsa` stores, OCSP-only revocation.
    V1_3,
    /// v1.4 (Flux 2.4): timestamps (`tsa`, `verifyTimestamp`), OCSP-only revocation.
    V1_4,
    /// v1.5 (Flux 2.5): OCSP with CRL fallback.
    V1_5,
    /// v1.6 – v1.8: notation-go 1.3.2.
    V1_6,
    /// v1.9: verification by the digest `getRevision` resolved.
    V1_9,
}

impl FluxVersion {
    /// Parses `1.3` … `1.9` (as `--flux-version` takes it); 1.7 and 1.8 behave as 1.6.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "1.3" => Self::V1_3,
            "1.4" => Self::V1_4,
            "1.5" => Self::V1_5,
            "1.6" | "1.7" | "1.8" => Self::V1_6,
            "1.9" => Self::V1_9,
            _ => return None,
        })
    }

    /// Whether `tsa:` trust stores and RFC 3161 timestamps are understood (v1.4+).
    pub fn supports_timestamps(self) -> bool {
        self >= Self::V1_4
    }

    /// Whether revocation falls back from OCSP to CRLs (v1.5+).
    pub fn crl_fallback(self) -> bool {
        self >= Self::V1_5
    }
}

impl fmt::Display for FluxVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V1_3 => "1.3",
            Self::V1_4 => "1.4",
            Self::V1_5 => "1.5",
            Self::V1_6 => "1.6",
            Self::V1_9 => "1.9",
        })
    }
}

/// The mode and source-controller version together, and the switches every stage derives from
/// them in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Flux or notation.
    pub mode: Mode,
    /// The source-controller release (read in flux mode only).
    pub flux_version: FluxVersion,
}

impl Settings {
    /// `tsa:` trust stores and RFC 3161 timestamps (notation, source-controller 1.4+).
    pub fn timestamps_supported(self) -> bool {
        self.mode == Mode::Notation || self.flux_version.supports_timestamps()
    }

    /// Revocation falls back from OCSP to CRLs (notation, source-controller 1.5+).
    pub fn crl_fallback(self) -> bool {
        self.mode == Mode::Notation || self.flux_version.crl_fallback()
    }

    /// Policy errors worded as notation-go 1.1.0 words them (source-controller 1.3).
    pub fn legacy_policy_messages(self) -> bool {
        self.mode == Mode::Flux && self.flux_version == FluxVersion::V1_3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_print_and_gate_features() {
        for (text, version, printed, timestamps, crl) in [
            ("1.3", FluxVersion::V1_3, "1.3", false, false),
            ("1.4", FluxVersion::V1_4, "1.4", true, false),
            ("1.5", FluxVersion::V1_5, "1.5", true, true),
            ("1.6", FluxVersion::V1_6, "1.6", true, true),
            ("1.7", FluxVersion::V1_6, "1.6", true, true),
            ("1.8", FluxVersion::V1_6, "1.6", true, true),
            ("1.9", FluxVersion::V1_9, "1.9", true, true),
        ] {
            assert_eq!(FluxVersion::parse(text), Some(version), "{text}");
            assert_eq!(version.to_string(), printed);
            assert_eq!(version.supports_timestamps(), timestamps, "{text}");
            assert_eq!(version.crl_fallback(), crl, "{text}");
            let flux = Settings {
                mode: Mode::Flux,
                flux_version: version,
            };
            assert_eq!(flux.timestamps_supported(), timestamps, "{text}");
            assert_eq!(flux.crl_fallback(), crl, "{text}");
            assert_eq!(flux.legacy_policy_messages(), text == "1.3", "{text}");
            let notation = Settings {
                mode: Mode::Notation,
                flux_version: version,
            };
            assert!(notation.timestamps_supported());
            assert!(notation.crl_fallback());
            assert!(!notation.legacy_policy_messages());
        }
        assert_eq!(FluxVersion::parse("1.10"), None);
        assert_eq!(FluxVersion::parse(""), None);
    }
}
