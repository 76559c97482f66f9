//! TLS client configuration, built once per process and per set of settings, with the system's
//! root certificates loaded only when the first TLS handshake needs them.
//!
//! reqwest builds its rustls configuration when a client is built, and on Linux the platform
//! verifier reads every system root certificate right there (`rustls-native-certs`): a fifth of a
//! whole verification's CPU time, paid even by plain-HTTP registries that never shake hands.
//! Here the client gets a preconfigured [`rustls::ClientConfig`] whose certificate verifier
//! builds the platform verifier (the very one reqwest would use, with the same extra roots) on
//! the first certificate it has to check. The configurations are kept in a process-wide table
//! keyed by the settings, so every client of a run (one a registry, a `scan` over many) shares
//! one configuration and one loaded root store.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use std::sync::{Arc, Mutex, OnceLock};

/// TLS settings of a registry connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// Extra trusted roots, PEM (added to the system's, as reqwest's `tls_certs_merge`).
    pub ca_pem: Option<Vec<u8>>,
    /// Accept any server certificate.
    pub insecure_skip_verify: bool,
}

/// The rustls configuration for `settings`: built on the first call with these settings, shared
/// afterwards. Fails only on an unusable CA file; the system roots are not read here.
pub fn client_config(settings: &TlsSettings) -> Result<Arc<ClientConfig>, String> {
    static CONFIGS: Mutex<Vec<(TlsSettings, Arc<ClientConfig>)>> = Mutex::new(Vec::new());
    let mut configs = CONFIGS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, config)) = configs.iter().find(|(s, _)| s == settings) {
        return Ok(config.clone());
    }
    let config = Arc::new(build(settings)?);
    configs.push((settings.clone(), config.clone()));
    Ok(config)
}

fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .clone()
}

fn build(settings: &TlsSettings) -> Result<ClientConfig, String> {
    let provider = provider();
    let verifier: Arc<dyn ServerCertVerifier> = if settings.insecure_skip_verify {
        Arc::new(AcceptAnyCertificate(provider.clone()))
    } else {
        let extra_roots = match &settings.ca_pem {
            Some(pem) => parse_ca_pem(pem)?,
            None => Vec::new(),
        };
        Arc::new(LazyPlatformVerifier {
            provider: provider.clone(),
            extra_roots,
            inner: OnceLock::new(),
        })
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // reqwest is built without HTTP/2, so it would offer only HTTP/1.1 too.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Every certificate of a PEM bundle; at least one, or the file is refused.
fn parse_ca_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("invalid CA certificate file: {e}"))?;
    if certs.is_empty() {
        return Err("invalid CA certificate file: no PEM certificate found".into());
    }
    Ok(certs)
}

/// The platform verifier (system roots plus `extra_roots`), created at the first handshake.
#[derive(Debug)]
struct LazyPlatformVerifier {
    provider: Arc<CryptoProvider>,
    extra_roots: Vec<CertificateDer<'static>>,
    inner: OnceLock<Result<rustls_platform_verifier::Verifier, rustls::Error>>,
}

impl LazyPlatformVerifier {
    fn inner(&self) -> Result<&rustls_platform_verifier::Verifier, rustls::Error> {
        self.inner
            .get_or_init(|| {
                if self.extra_roots.is_empty() {
                    rustls_platform_verifier::Verifier::new(self.provider.clone())
                } else {
                    rustls_platform_verifier::Verifier::new_with_extra_roots(
                        self.extra_roots.iter().cloned(),
                        self.provider.clone(),
                    )
                }
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl ServerCertVerifier for LazyPlatformVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner()?
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    // The handshake signatures need no roots: checked as the platform verifier checks them,
    // with the provider's algorithms.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `--insecure-skip-tls-verify`: any certificate, any handshake signature (reqwest's
/// `danger_accept_invalid_certs`).
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_configuration_per_settings() {
        let a = client_config(&TlsSettings::default()).unwrap();
        let b = client_config(&TlsSettings::default()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let skip = TlsSettings {
            insecure_skip_verify: true,
            ..Default::default()
        };
        assert!(!Arc::ptr_eq(&a, &client_config(&skip).unwrap()));
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        let bad = TlsSettings {
            ca_pem: Some(b"not a certificate".to_vec()),
            ..Default::default()
        };
        let e = client_config(&bad).unwrap_err();
        assert!(e.contains("invalid CA certificate file"), "{e}");
    }
}
