//! The signed certificate timestamps embedded in a Fulcio certificate (RFC 6962 §3.3): each is
//! verified against the CT log key the trusted root names, over the precertificate entry
//! rebuilt from the certificate (its TBS without the SCT list extension, and the issuer's key
//! hash) — what certificate-transparency-go's `ctutil.VerifySCT` does for sigstore-go's
//! `VerifySignedCertificateTimestamp`.

use super::root::TrustedRoot;
use crate::pki::cert::Certificate;
use chrono::{DateTime, TimeZone as _, Utc};
use const_oid::ObjectIdentifier;
use der::{Decode as _, Encode as _};
use sha2::{Digest as _, Sha256};

/// The embedded SCT list extension.
pub const SCT_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");

/// One embedded SCT, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sct {
    /// The log's key ID (SHA-256 of its key).
    pub log_id: Vec<u8>,
    /// Milliseconds since the epoch.
    pub timestamp_ms: u64,
    /// The SCT's extensions.
    pub extensions: Vec<u8>,
    /// The signature bytes (DigitallySigned's signature).
    pub signature: Vec<u8>,
}

impl Sct {
    /// The timestamp as a time.
    pub fn time(&self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.timestamp_ms as i64)
            .single()
            .unwrap_or_default()
    }
}

fn take<'a>(data: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
    if data.len() < n {
        return Err("truncated SCT list".into());
    }
    let (head, tail) = data.split_at(n);
    *data = tail;
    Ok(head)
}

fn length(data: &mut &[u8], bytes: usize) -> Result<usize, String> {
    Ok(take(data, bytes)?
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b)))
}

/// The SCTs of `cert` (none when it has no SCT list extension).
pub fn embedded_scts(cert: &Certificate) -> Result<Vec<Sct>, String> {
    let Some(ext) = cert.extension(&SCT_LIST) else {
        return Ok(Vec::new());
    };
    // The extension value is a DER OCTET STRING holding the TLS-encoded list.
    let inner = der::asn1::OctetString::from_der(ext.extn_value.as_bytes())
        .map_err(|e| format!("failed to parse SCT list extension: {e}"))?;
    let mut data = inner.as_bytes();
    let total = length(&mut data, 2)?;
    let mut list = take(&mut data, total)?;
    let mut scts = Vec::new();
    while !list.is_empty() {
        let len = length(&mut list, 2)?;
        let mut sct = take(&mut list, len)?;
        let version = take(&mut sct, 1)?.first().copied().unwrap_or_default();
        if version != 0 {
            return Err(format!("unsupported SCT version {version}"));
        }
        let log_id = take(&mut sct, 32)?.to_vec();
        let timestamp_ms = take(&mut sct, 8)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let ext_len = length(&mut sct, 2)?;
        let extensions = take(&mut sct, ext_len)?.to_vec();
        let _hash_and_signature_algorithms = take(&mut sct, 2)?;
        let sig_len = length(&mut sct, 2)?;
        let signature = take(&mut sct, sig_len)?.to_vec();
        scts.push(Sct {
            log_id,
            timestamp_ms,
            extensions,
            signature,
        });
    }
    Ok(scts)
}

/// The precertificate TBS: the certificate's TBS without the SCT list extension.
fn precert_tbs(cert: &Certificate) -> Result<Vec<u8>, String> {
    let mut tbs = x509_cert::TbsCertificate::from_der(cert.raw_tbs()).map_err(|e| e.to_string())?;
    if let Some(exts) = tbs.extensions.as_mut() {
        exts.retain(|e| e.extn_id != SCT_LIST);
    }
    tbs.to_der().map_err(|e| e.to_string())
}

/// The RFC 6962 `digitally-signed` input of `sct` for `cert` issued by `issuer`.
fn signed_input(sct: &Sct, tbs: &[u8], issuer: &Certificate) -> Result<Vec<u8>, String> {
    let issuer_spki = issuer.public_key().to_der().map_err(|e| e.to_string())?;
    let mut out = vec![0u8, 0u8]; // v1, certificate_timestamp
    out.extend_from_slice(&sct.timestamp_ms.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes()); // precert_entry
    out.extend_from_slice(&Sha256::digest(issuer_spki));
    let len = u32::try_from(tbs.len()).map_err(|_| "TBS too long")?;
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    out.extend_from_slice(tbs);
    let ext_len = u16::try_from(sct.extensions.len()).map_err(|_| "SCT extensions too long")?;
    out.extend_from_slice(&ext_len.to_be_bytes());
    out.extend_from_slice(&sct.extensions);
    Ok(out)
}

/// How many of `chain[0]`'s SCTs verify against the CT logs of `root` (within each log key's
/// validity), the issuer being the chain's second certificate, as sigstore-go builds the
/// precertificate entry from the verified chain.
pub fn verified_count(chain: &[Certificate], root: &TrustedRoot) -> Result<usize, String> {
    let (Some(cert), Some(issuer)) = (chain.first(), chain.get(1)) else {
        return Ok(0);
    };
    let scts = embedded_scts(cert)?;
    let tbs = precert_tbs(cert)?;
    let mut verified = 0;
    for sct in &scts {
        let Some(log) = root.ctlog(&sct.log_id) else {
            // skip entries the trust root cannot verify
            continue;
        };
        if !log.validity.contains(sct.time()) {
            continue;
        }
        let input = signed_input(sct, &tbs, issuer)?;
        if log.key.verify(&input, &sct.signature).is_ok() {
            verified += 1;
        }
    }
    Ok(verified)
}

/// sigstore-go's `VerifySignedCertificateTimestamp` with a threshold of one, on the chain the
/// leaf was verified with; its words.
pub fn verify(chain: &[Certificate], root: &TrustedRoot) -> Result<usize, String> {
    let verified = verified_count(chain, root)?;
    if verified < 1 {
        // sigstore-go pkg/verify/sct.go
        return Err(format!(
            "only able to verify {verified} SCT entries; unable to meet threshold of 1"
        ));
    }
    Ok(verified)
}
