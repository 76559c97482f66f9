//! Certificate revocation checking as notation-core-go's `revocation` package does it, and the
//! chain verdict notation-go draws from it.
//!
//! For a chain (leaf first, root last), [`Validator::validate`]:
//! 1. re-validates the chain with notation's rules for its [`Purpose`]
//!    (`invalid chain: expected chain to be correct and complete: …`);
//! 2. checks every certificate but the root, concurrently, against its issuer (the next
//!    certificate): OCSP when the certificate names OCSP servers, falling back to its CRL
//!    distribution points when OCSP ends "unknown"; CRLs alone when it names no OCSP server;
//!    neither → "non-revokable" without touching the network;
//! 3. reports per certificate which method answered, from which URL, how long it took, and the
//!    status.
//!
//! [`ChainRevocation::failure`] then applies notation-go's `revocationFinalResult`: walking root
//! to leaf, revoked beats unknown, and the certificate nearest the leaf is named.
//!
//! Versions ([`RevocationMode`]): source-controller 1.3/1.4 (notation-core-go 1.0/1.1) check
//! OCSP only; 1.5+ (core 1.2+) add the CRL fallback. Flux never configures a CRL cache, so
//! there is none here.

mod crl;
mod ext;
pub mod http;
mod ocsp;

use crate::pki::cert::Certificate;
use crate::pki::chain::go_quote;
use chrono::{DateTime, Utc};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use ext::parse_crl_distribution_points;
pub use http::{ReqwestTransport, Transport};

/// What the chain is for; decides the chain rules and the wording of the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The envelope's signing chain (`signing certificate with subject …`).
    CodeSigning,
    /// The TSA chain of a timestamp (`timestamping certificate with subject …`).
    Timestamping,
}

/// Which methods are used, by Flux source-controller version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationMode {
    /// source-controller 1.3 and 1.4: OCSP only; certificates without an OCSP server are
    /// non-revokable even when they name CRLs.
    OcspOnly,
    /// source-controller 1.5 and later: OCSP, then CRL when OCSP is unavailable or unknown.
    OcspWithCrlFallback,
}

impl fmt::Display for RevocationMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RevocationMode::OcspOnly => "OCSP",
            RevocationMode::OcspWithCrlFallback => "OCSP, CRL fallback",
        })
    }
}

/// Revocation settings. [`Default`] is what Flux ≥ 1.5 builds: OCSP with CRL fallback,
/// 2 s OCSP and 5 s CRL timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevocationConfig {
    /// Methods in use.
    pub mode: RevocationMode,
    /// Whole-exchange timeout of one OCSP request (notation: 2 s).
    pub ocsp_timeout: Duration,
    /// Whole-exchange timeout of one CRL download (notation: 5 s).
    pub crl_timeout: Duration,
}

impl Default for RevocationConfig {
    fn default() -> Self {
        Self {
            mode: RevocationMode::OcspWithCrlFallback,
            ocsp_timeout: Duration::from_secs(2),
            crl_timeout: Duration::from_secs(5),
        }
    }
}

impl RevocationConfig {
    /// The default timeouts with the given mode.
    pub fn with_mode(mode: RevocationMode) -> Self {
        Self {
            mode,
            ..Self::default()
        }
    }
}

/// Status of one certificate or one server answer (notation's `result.Result`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationStatus {
    /// Not revoked.
    Ok,
    /// Nothing to check: the root, or no OCSP server and no CRL distribution point.
    NonRevokable,
    /// No definite answer (unreachable server, bad response, unknown status …).
    Unknown,
    /// Revoked.
    Revoked,
}

impl RevocationStatus {
    /// Whether this counts as good in the chain verdict.
    pub fn is_good(self) -> bool {
        matches!(self, RevocationStatus::Ok | RevocationStatus::NonRevokable)
    }
}

impl fmt::Display for RevocationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RevocationStatus::Ok => "OK",
            RevocationStatus::NonRevokable => "NonRevokable",
            RevocationStatus::Unknown => "Unknown",
            RevocationStatus::Revoked => "Revoked",
        })
    }
}

/// Which method produced a result (notation's `result.RevocationMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationMethod {
    /// No method applied (root, or nothing to check).
    Unknown,
    /// OCSP.
    Ocsp,
    /// CRL.
    Crl,
    /// OCSP answered unknown and the CRL decided.
    OcspFallbackCrl,
}

impl fmt::Display for RevocationMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RevocationMethod::Unknown => "Unknown",
            RevocationMethod::Ocsp => "OCSP",
            RevocationMethod::Crl => "CRL",
            RevocationMethod::OcspFallbackCrl => "OCSPFallbackCRL",
        })
    }
}

/// One server's answer for one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerResult {
    /// OCSP server or CRL URL (empty when no server was involved).
    pub server: String,
    /// OCSP or CRL.
    pub method: RevocationMethod,
    /// What this server's answer amounts to.
    pub status: RevocationStatus,
    /// Why the answer is not OK, in notation's words.
    pub error: Option<String>,
    /// Time spent on this server (request, parsing and checks).
    pub duration: Duration,
}

/// The result for one certificate of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertResult {
    /// Subject in Go `pkix.Name.String()` form.
    pub subject: String,
    /// The certificate's status.
    pub status: RevocationStatus,
    /// The method that decided it.
    pub method: RevocationMethod,
    /// Every server consulted, in order.
    pub servers: Vec<ServerResult>,
    /// Time spent on this certificate.
    pub duration: Duration,
}

/// The result of checking one chain: per-certificate results (leaf first), or the reason the
/// check could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainRevocation {
    /// Code signing or timestamping chain.
    pub purpose: Purpose,
    /// Methods in force.
    pub mode: RevocationMode,
    /// Per-certificate results, leaf first; empty when `error` is set.
    pub certificates: Vec<CertResult>,
    /// Why the check could not run (`ValidateContext` returned an error).
    pub error: Option<String>,
}

/// The chain verdict when it is not OK. `Display` is notation-go's message for the purpose.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevocationFailure {
    /// A certificate is revoked (the one nearest the leaf is named).
    #[error("{} certificate with subject {} is revoked", purpose_word(*.purpose), go_quote(.subject))]
    Revoked {
        /// Chain purpose.
        purpose: Purpose,
        /// Go-style subject of the revoked certificate.
        subject: String,
    },
    /// No certificate is revoked, but some status is unknown.
    #[error("{} certificate with subject {} revocation status is unknown", purpose_word(*.purpose), go_quote(.subject))]
    Unknown {
        /// Chain purpose.
        purpose: Purpose,
        /// Go-style subject of the certificate nearest the leaf with unknown status.
        subject: String,
    },
    /// The check could not run.
    #[error("{}", check_error_text(*.purpose, .reason))]
    CheckFailed {
        /// Chain purpose.
        purpose: Purpose,
        /// The error of the check itself.
        reason: String,
    },
}

fn purpose_word(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::CodeSigning => "signing",
        Purpose::Timestamping => "timestamping",
    }
}

fn check_error_text(purpose: Purpose, reason: &str) -> String {
    match purpose {
        Purpose::CodeSigning => format!("unable to check revocation status, err: {reason}"),
        Purpose::Timestamping => {
            format!(
                "failed to check timestamping certificate chain revocation with error: {reason}"
            )
        }
    }
}

impl ChainRevocation {
    /// notation-go's `revocationFinalResult`: `None` when every certificate is OK or
    /// non-revokable; otherwise revoked beats unknown, naming the certificate nearest the leaf.
    pub fn failure(&self) -> Option<RevocationFailure> {
        if let Some(reason) = &self.error {
            return Some(RevocationFailure::CheckFailed {
                purpose: self.purpose,
                reason: reason.clone(),
            });
        }
        if self.certificates.is_empty() {
            return Some(RevocationFailure::CheckFailed {
                purpose: self.purpose,
                reason: "certificate revocation result cannot be empty".to_string(),
            });
        }
        // Leaf first in the list, so the first match is the one nearest the leaf.
        if let Some(revoked) = self
            .certificates
            .iter()
            .find(|c| c.status == RevocationStatus::Revoked)
        {
            return Some(RevocationFailure::Revoked {
                purpose: self.purpose,
                subject: revoked.subject.clone(),
            });
        }
        self.certificates
            .iter()
            .find(|c| !c.status.is_good())
            .map(|unknown| RevocationFailure::Unknown {
                purpose: self.purpose,
                subject: unknown.subject.clone(),
            })
    }

    /// Whether any request was made (false for self-signed or AIA/CDP-free chains).
    pub fn touched_network(&self) -> bool {
        self.certificates
            .iter()
            .flat_map(|c| &c.servers)
            .any(|s| !s.server.is_empty())
    }
}

/// Checks chains for revocation. Cheap to clone; shares its transport.
#[derive(Clone)]
pub struct Validator {
    config: RevocationConfig,
    transport: Arc<dyn Transport>,
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Checks the chain against notation's rules for `purpose` before revocation is looked up.
/// The rules live with the chain validation; this is the seam revocation needs.
pub type ChainRules = fn(&[Certificate], Purpose) -> Result<(), String>;

impl Validator {
    /// A validator over real HTTP.
    pub fn new(config: RevocationConfig) -> Self {
        Self::with_transport(config, Arc::new(ReqwestTransport))
    }

    /// A validator over the given transport.
    pub fn with_transport(config: RevocationConfig, transport: Arc<dyn Transport>) -> Self {
        Self { config, transport }
    }

    /// The settings in force.
    pub fn config(&self) -> RevocationConfig {
        self.config
    }

    /// notation-core-go `ValidateContext`: checks `chain` (leaf first, root last).
    /// `authentic_signing_time` is only set for the signingAuthority scheme (it lets a
    /// revocation with a later invalidity date pass); notation passes none for x509 signatures
    /// and for TSA chains.
    pub fn validate(
        &self,
        chain: &[Certificate],
        purpose: Purpose,
        authentic_signing_time: Option<DateTime<Utc>>,
    ) -> ChainRevocation {
        self.validate_with_rules(chain, purpose, authentic_signing_time, default_chain_rules)
    }

    /// [`Validator::validate`] with explicit chain rules (tests use this to reach the network
    /// code with chains the notation rules would refuse).
    pub fn validate_with_rules(
        &self,
        chain: &[Certificate],
        purpose: Purpose,
        authentic_signing_time: Option<DateTime<Utc>>,
        rules: ChainRules,
    ) -> ChainRevocation {
        let mut out = ChainRevocation {
            purpose,
            mode: self.config.mode,
            certificates: Vec::new(),
            error: None,
        };
        if chain.is_empty() {
            out.error = Some(
                "invalid chain: expected chain to be correct and complete: chain does not contain any certificates"
                    .to_string(),
            );
            return out;
        }
        if let Err(reason) = rules(chain, purpose) {
            out.error = Some(format!(
                "invalid chain: expected chain to be correct and complete: {reason}"
            ));
            return out;
        }
        let checks = CheckContext {
            config: self.config,
            transport: self.transport.as_ref(),
            signing_time: authentic_signing_time,
        };
        let pairs: Vec<(&Certificate, &Certificate)> =
            chain.iter().zip(chain.iter().skip(1)).collect();
        // The checks' log events go to the caller's subscriber, also when it is a scoped one.
        let dispatch = tracing::dispatcher::get_default(Clone::clone);
        let mut results: Vec<CertResult> = std::thread::scope(|scope| {
            let handles: Vec<_> = pairs
                .iter()
                .map(|&(cert, issuer)| {
                    let checks = &checks;
                    let dispatch = &dispatch;
                    scope.spawn(move || {
                        tracing::dispatcher::with_default(dispatch, || {
                            checks.check_certificate(cert, issuer)
                        })
                    })
                })
                .collect();
            handles
                .into_iter()
                .zip(pairs.iter())
                .map(|(handle, (cert, _))| {
                    handle.join().unwrap_or_else(|_| CertResult {
                        subject: cert.subject(),
                        status: RevocationStatus::Unknown,
                        method: RevocationMethod::Unknown,
                        servers: Vec::new(),
                        duration: Duration::ZERO,
                    })
                })
                .collect()
        });
        if let Some(root) = chain.last() {
            results.push(non_revokable(root, RevocationMethod::Unknown));
        }
        out.certificates = results;
        out
    }
}

/// The notation chain rules for `purpose`, as the revocation package re-runs them.
fn default_chain_rules(chain: &[Certificate], purpose: Purpose) -> Result<(), String> {
    match purpose {
        Purpose::CodeSigning => {
            crate::pki::chain::validate_code_signing_chain(chain).map_err(|e| e.to_string())
        }
        Purpose::Timestamping => {
            crate::pki::chain::validate_timestamping_chain(chain).map_err(|e| e.to_string())
        }
    }
}

fn non_revokable(cert: &Certificate, method: RevocationMethod) -> CertResult {
    CertResult {
        subject: cert.subject(),
        status: RevocationStatus::NonRevokable,
        method,
        servers: vec![ServerResult {
            server: String::new(),
            method,
            status: RevocationStatus::NonRevokable,
            error: None,
            duration: Duration::ZERO,
        }],
        duration: Duration::ZERO,
    }
}

/// What one certificate check needs.
struct CheckContext<'a> {
    config: RevocationConfig,
    transport: &'a dyn Transport,
    signing_time: Option<DateTime<Utc>>,
}

impl CheckContext<'_> {
    fn check_certificate(&self, cert: &Certificate, issuer: &Certificate) -> CertResult {
        let started = Instant::now();
        let ocsp_servers = ext::ocsp_servers(cert);
        let crl_urls = match self.config.mode {
            RevocationMode::OcspOnly => Vec::new(),
            RevocationMode::OcspWithCrlFallback => ext::crl_distribution_points(cert),
        };
        let mut result = if !ocsp_servers.is_empty() {
            let ocsp = ocsp::check(self, cert, issuer, &ocsp_servers);
            if ocsp.status == RevocationStatus::Unknown && !crl_urls.is_empty() {
                let mut crl = crl::check(self, cert, issuer, &crl_urls);
                let mut servers = ocsp.servers;
                servers.append(&mut crl.servers);
                CertResult {
                    servers,
                    method: RevocationMethod::OcspFallbackCrl,
                    ..crl
                }
            } else {
                ocsp
            }
        } else if !crl_urls.is_empty() {
            crl::check(self, cert, issuer, &crl_urls)
        } else {
            non_revokable(cert, RevocationMethod::Unknown)
        };
        result.duration = started.elapsed();
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert_result(subject: &str, status: RevocationStatus) -> CertResult {
        CertResult {
            subject: subject.to_string(),
            status,
            method: RevocationMethod::Ocsp,
            servers: Vec::new(),
            duration: Duration::ZERO,
        }
    }

    fn chain(purpose: Purpose, statuses: &[(&str, RevocationStatus)]) -> ChainRevocation {
        ChainRevocation {
            purpose,
            mode: RevocationMode::OcspWithCrlFallback,
            certificates: statuses.iter().map(|(s, st)| cert_result(s, *st)).collect(),
            error: None,
        }
    }

    use RevocationStatus::*;

    #[test]
    fn all_good_is_ok() {
        let c = chain(
            Purpose::CodeSigning,
            &[("CN=leaf", Ok), ("CN=int", Ok), ("CN=root", NonRevokable)],
        );
        assert_eq!(c.failure(), None);
    }

    #[test]
    fn revoked_beats_unknown_and_nearest_leaf_is_named() {
        let c = chain(
            Purpose::CodeSigning,
            &[
                ("CN=leaf", Unknown),
                ("CN=int1", Revoked),
                ("CN=int2", Revoked),
                ("CN=root", NonRevokable),
            ],
        );
        assert_eq!(
            c.failure().unwrap().to_string(),
            "signing certificate with subject \"CN=int1\" is revoked"
        );
        let c = chain(
            Purpose::Timestamping,
            &[
                ("CN=leaf", Ok),
                ("CN=int", Unknown),
                ("CN=root", NonRevokable),
            ],
        );
        assert_eq!(
            c.failure().unwrap().to_string(),
            "timestamping certificate with subject \"CN=int\" revocation status is unknown"
        );
        let c = chain(
            Purpose::CodeSigning,
            &[
                ("CN=leaf", Unknown),
                ("CN=int", Unknown),
                ("CN=root", NonRevokable),
            ],
        );
        assert_eq!(
            c.failure().unwrap().to_string(),
            "signing certificate with subject \"CN=leaf\" revocation status is unknown"
        );
    }

    #[test]
    fn check_errors_are_worded_per_purpose() {
        let mut c = chain(Purpose::CodeSigning, &[]);
        c.error = Some("boom".into());
        assert_eq!(
            c.failure().unwrap().to_string(),
            "unable to check revocation status, err: boom"
        );
        c.purpose = Purpose::Timestamping;
        assert_eq!(
            c.failure().unwrap().to_string(),
            "failed to check timestamping certificate chain revocation with error: boom"
        );
    }
}
