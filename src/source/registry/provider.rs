//! `spec.provider` of an OCIRepository or HelmRepository: which cloud issues the registry
//! credentials, and the host check Flux makes before asking it (fluxcd/pkg `auth/*`).

/// `spec.provider` of an OCIRepository: who issues the registry credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Provider {
    /// Credentials from the Secret / Docker config only (the CRD's default).
    #[default]
    Generic,
    /// Amazon ECR.
    Aws,
    /// Azure Container Registry.
    Azure,
    /// Google Artifact Registry and Container Registry.
    Gcp,
}

// Host patterns as fluxcd/pkg's providers check them. The ECR pattern (from the ECR credential
// helper) is anchored here: Flux matches it anywhere in the host, which would hand an ECR login
// password to `1.dkr.ecr.r.amazonaws.com.example.org`.
pub(super) const AZURE_PATTERN: &str = r"^.+\.(azurecr\.io|azurecr\.cn|azurecr\.de|azurecr\.us)$";
pub(super) const AWS_PATTERN: &str = r"^([0-9+]*).dkr.ecr(?:-fips)?\.([^/.]*)\.(amazonaws\.com[.cn]*|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$";
pub(super) const GCP_PATTERN: &str = r"^(((.+\.)?gcr\.io)|(.+-docker\.pkg\.dev))$";
pub(super) const PUBLIC_ECR: &str = "public.ecr.aws";

impl Provider {
    /// The names `spec.provider` and `--provider` accept.
    pub const NAMES: [&'static str; 4] = ["generic", "aws", "azure", "gcp"];

    /// Parses a `spec.provider` value.
    pub fn from_name(name: &str) -> Option<Provider> {
        match name {
            "generic" => Some(Provider::Generic),
            "aws" => Some(Provider::Aws),
            "azure" => Some(Provider::Azure),
            "gcp" => Some(Provider::Gcp),
            _ => None,
        }
    }

    /// The `spec.provider` value.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Generic => "generic",
            Provider::Aws => "aws",
            Provider::Azure => "azure",
            Provider::Gcp => "gcp",
        }
    }

    /// The provider whose host pattern `registry` (`host[:port]`) matches, if any.
    pub fn for_registry(registry: &str) -> Option<Provider> {
        [Provider::Aws, Provider::Azure, Provider::Gcp]
            .into_iter()
            .find(|p| p.check_registry(registry).is_ok() && !is_loopback(registry))
    }

    /// Flux's host check: `Err` with Flux's message when `registry` is not this provider's.
    pub(super) fn check_registry(self, registry: &str) -> Result<(), String> {
        let (label, pattern) = match self {
            Provider::Generic => return Ok(()),
            Provider::Aws if registry == PUBLIC_ECR => return Ok(()),
            Provider::Aws => ("AWS", AWS_PATTERN),
            Provider::Azure => ("Azure", AZURE_PATTERN),
            Provider::Gcp => ("GCP", GCP_PATTERN),
        };
        if is_loopback(registry) || pattern_regex(pattern).is_some_and(|re| re.is_match(registry)) {
            Ok(())
        } else {
            Err(format!(
                "invalid {label} registry: '{registry}'. must match {pattern}"
            ))
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A host pattern, compiled. The patterns are constants (the unit tests match each one), so
/// `None` cannot happen; it would make the pattern match nothing.
pub(super) fn pattern_regex(pattern: &str) -> Option<regex::Regex> {
    regex::Regex::new(pattern).ok()
}

/// `host[:port]` → host, IPv6 brackets removed.
pub(super) fn host_of(registry: &str) -> &str {
    if let Some(rest) = registry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    registry.rsplit_once(':').map_or(registry, |(h, _)| h)
}

/// `localhost`, `127.0.0.0/8` or `::1`.
pub(crate) fn is_loopback(registry: &str) -> bool {
    let host = host_of(registry);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in Provider::NAMES {
            assert_eq!(Provider::from_name(name).unwrap().name(), name);
        }
        assert_eq!(Provider::from_name("Azure"), None);
    }

    #[test]
    fn host_patterns_are_flux_s() {
        assert!(Provider::Azure.check_registry("myacr.azurecr.io").is_ok());
        assert!(Provider::Azure.check_registry("myacr.azurecr.cn").is_ok());
        assert_eq!(
            Provider::Azure.check_registry("ghcr.io").unwrap_err(),
            format!("invalid Azure registry: 'ghcr.io'. must match {AZURE_PATTERN}")
        );
        assert!(Provider::Aws
            .check_registry("123456789012.dkr.ecr.eu-west-1.amazonaws.com")
            .is_ok());
        assert!(Provider::Aws.check_registry("public.ecr.aws").is_ok());
        assert!(Provider::Aws.check_registry("ghcr.io").is_err());
        assert!(Provider::Aws
            .check_registry("1.dkr.ecr.us-east-1.amazonaws.com.example.org")
            .is_err());
        assert!(Provider::Gcp.check_registry("gcr.io").is_ok());
        assert!(Provider::Gcp.check_registry("eu.gcr.io").is_ok());
        assert!(Provider::Gcp
            .check_registry("europe-west1-docker.pkg.dev")
            .is_ok());
        assert!(Provider::Gcp.check_registry("docker.pkg.dev").is_err());
        for loopback in [
            "127.0.0.1:5000",
            "localhost:5000",
            "[::1]:5000",
            "127.1.2.3",
        ] {
            assert!(
                Provider::Azure.check_registry(loopback).is_ok(),
                "{loopback}"
            );
        }
        assert!(!is_loopback("10.0.0.1:5000"));
        assert!(!is_loopback("localhost.example:5000"));
    }

    #[test]
    fn provider_for_registry_by_host() {
        assert_eq!(
            Provider::for_registry("x.azurecr.io"),
            Some(Provider::Azure)
        );
        assert_eq!(
            Provider::for_registry("1.dkr.ecr.us-east-1.amazonaws.com"),
            Some(Provider::Aws)
        );
        assert_eq!(
            Provider::for_registry("us-docker.pkg.dev"),
            Some(Provider::Gcp)
        );
        assert_eq!(Provider::for_registry("ghcr.io"), None);
        assert_eq!(Provider::for_registry("127.0.0.1:5000"), None);
    }
}
