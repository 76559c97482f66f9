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

/// Which source-controller minor each Flux minor ships, from the Flux release issues that list
/// the controller releases (e.g. source-controller v1.8.0 in Flux 2.8, v1.9.0 in Flux 2.9).
pub const FLUX_RELEASES: [(&str, &str); 7] = [
    ("2.3", "1.3"),
    ("2.4", "1.4"),
    ("2.5", "1.5"),
    ("2.6", "1.6"),
    ("2.7", "1.7"),
    ("2.8", "1.8"),
    ("2.9", "1.9"),
];

/// The `--flux-version` help: what it accepts, and the Flux to source-controller mapping with
/// what differs between the releases. Kept in step with [`FLUX_RELEASES`] by a test.
pub const FLUX_VERSION_HELP: &str = "source-controller release whose behaviour to reproduce: \
1.3 ... 1.9 as x.y or x.y.z (a leading v is allowed), or the Flux release that ships it, \
2.3 ... 2.9.

  Flux 2.3 = source-controller 1.3: notation-go 1.1.0 wording, no tsa stores, OCSP only
  Flux 2.4 = source-controller 1.4: timestamps (tsa stores), OCSP only
  Flux 2.5 = source-controller 1.5: OCSP with CRL fallback
  Flux 2.6 = source-controller 1.6: notation-go 1.3.2
  Flux 2.7 = source-controller 1.7: as 1.6
  Flux 2.8 = source-controller 1.8: as 1.6
  Flux 2.9 = source-controller 1.9: verifies the digest getRevision resolved";

impl FluxVersion {
    /// Parses what `--flux-version` takes: a source-controller release `1.3` … `1.9` (`x.y` or
    /// `x.y.z`, optionally with a leading `v`), or a Flux release `2.3` … `2.9` mapped to the
    /// source-controller it ships ([`FLUX_RELEASES`]). 1.7 and 1.8 behave as 1.6.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let mut parts = text.split('.');
        let (major, minor, patch) = (parts.next()?, parts.next()?, parts.next());
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if parts.next().is_some() || !numeric(major) || !numeric(minor) {
            return None;
        }
        if patch.is_some_and(|p| !numeric(p)) {
            return None;
        }
        let release = format!("{major}.{minor}");
        let controller = FLUX_RELEASES
            .iter()
            .find(|(flux, _)| *flux == release)
            .map_or(release.as_str(), |(_, controller)| controller);
        Some(match controller {
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

    #[test]
    fn flux_versions_take_patch_releases_and_flux_releases() {
        for (text, version) in [
            ("1.3.0", FluxVersion::V1_3),
            ("v1.4.1", FluxVersion::V1_4),
            ("1.9.5", FluxVersion::V1_9),
            ("1.7.4", FluxVersion::V1_6),
            ("2.3", FluxVersion::V1_3),
            ("2.4.0", FluxVersion::V1_4),
            ("v2.5.1", FluxVersion::V1_5),
            ("2.6", FluxVersion::V1_6),
            ("2.7.3", FluxVersion::V1_6),
            ("2.8.8", FluxVersion::V1_6),
            ("2.9.0", FluxVersion::V1_9),
        ] {
            assert_eq!(FluxVersion::parse(text), Some(version), "{text}");
        }
        for bad in [
            "1.2", "2.2", "2.10", "1", "1.", "1.9.", "1.9.x", "1.9.0.1", "v", "vv1.9", "1.9-rc.1",
            "3.0", " 1.9", "01.9x",
        ] {
            assert_eq!(FluxVersion::parse(bad), None, "{bad}");
        }
        // Every Flux release maps to the source-controller it ships, and the help says so.
        for (flux, controller) in FLUX_RELEASES {
            assert_eq!(FluxVersion::parse(flux), FluxVersion::parse(controller));
            assert!(
                FLUX_VERSION_HELP
                    .contains(&format!("Flux {flux} = source-controller {controller}:")),
                "{flux}"
            );
        }
    }
}
