//! CRLs as notation-core-go v1.3 does it (`revocation/internal/crl` with the default
//! `HTTPFetcher`, no cache — Flux configures none).
//!
//! Per distribution point URL, in order, stopping at the first error (→ unknown) or revocation:
//! fetch over http (5 s, a 2xx status, 32 MiB), plus the delta CRL named by the base CRL's FreshestCRL
//! extension; a certificate that itself names a FreshestCRL while no delta was found is refused;
//! both CRLs signed by the issuer, `NextUpdate` set and not past, no unknown critical
//! extension (IssuingDistributionPoint and DeltaCRLIndicator are known), the delta's number
//! above the base's and its indicator not above it; then the entries for the certificate's
//! serial: an invalidity date after a non-zero authentic signing time skips the rest of that
//! list, certificateHold / removeFromCRL entries count by their latest revocation time (hold →
//! revoked), any other reason is revoked.

use super::ext::has_freshest_crl;
use super::http::{Method, Request, Response};
use super::{CertResult, CheckContext, RevocationMethod, RevocationStatus};
use super::{ServerResult, Transport};
use crate::golang::big::decimal;
use crate::golang::cryptobyte::BitString;
use crate::golang::time::time_string;
use crate::pki::algorithm::verify_x509_signature;
use crate::pki::cert::Certificate;
use chrono::{DateTime, Utc};
use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, GeneralizedTime};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use std::time::{Duration, Instant};
use x509_cert::crl::TbsCertList;

/// Body cap (notation's `maxCRLSize`).
pub(super) const MAX_CRL_SIZE: u64 = 32 * 1024 * 1024;

const ID_CE_CRL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.20");
const ID_CE_REASON_CODE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.21");
const ID_CE_INVALIDITY_DATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.24");
const ID_CE_DELTA_CRL_INDICATOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.27");
const ID_CE_ISSUING_DISTRIBUTION_POINT: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.5.29.28");
use super::ext::{parse_crl_distribution_points, ID_CE_FRESHEST_CRL};

const REASON_CERTIFICATE_HOLD: u8 = 6;
const REASON_REMOVE_FROM_CRL: u8 = 8;

/// A CRL with its signed part kept raw.
#[derive(Sequence)]
struct RawCrl<'a> {
    tbs_cert_list: AnyRef<'a>,
    signature_algorithm: AlgorithmIdentifierOwned,
    /// Read as Go reads it (cryptobyte's BIT STRING rules), not by `der`'s.
    signature: AnyRef<'a>,
}

/// The parts of a CRL the checks use.
struct Crl {
    tbs_der: Vec<u8>,
    tbs: TbsCertList,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
}

impl Crl {
    fn parse(der: &[u8]) -> Result<Self, String> {
        let raw = RawCrl::from_der(der).map_err(|_| "x509: malformed crl".to_string())?;
        let tbs_der = raw
            .tbs_cert_list
            .to_der()
            .map_err(|_| "x509: malformed crl".to_string())?;
        let tbs =
            TbsCertList::from_der(&tbs_der).map_err(|_| "x509: malformed tbs crl".to_string())?;
        // Go's ParseRevocationList reads the signature with cryptobyte's BIT STRING rules
        // (padding bits zero) and uses it right-aligned.
        let signature = (der::Tagged::tag(&raw.signature) == der::Tag::BitString)
            .then(|| raw.signature.value().split_first())
            .flatten()
            .and_then(|(padding, bytes)| BitString::checked(*padding, bytes))
            .ok_or_else(|| "x509: malformed signature".to_string())?
            .right_align();
        Ok(Self {
            tbs_der,
            tbs,
            signature_algorithm: raw.signature_algorithm,
            signature,
        })
    }

    fn extensions(&self) -> &[x509_cert::ext::Extension] {
        self.tbs.crl_extensions.as_deref().unwrap_or_default()
    }

    fn extension(&self, oid: &ObjectIdentifier) -> Option<&x509_cert::ext::Extension> {
        self.extensions().iter().find(|e| &e.extn_id == oid)
    }

    fn next_update(&self) -> Option<DateTime<Utc>> {
        self.tbs.next_update.map(to_chrono)
    }

    /// The CRL number (unsigned big-endian, leading zeros stripped), if present.
    fn number(&self) -> Option<Vec<u8>> {
        self.extension(&ID_CE_CRL_NUMBER)
            .and_then(|e| der::asn1::Uint::from_der(e.extn_value.as_bytes()).ok())
            .map(|n| n.as_bytes().to_vec())
    }
}

fn to_chrono(time: x509_cert::time::Time) -> DateTime<Utc> {
    let secs = i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Unsigned big-endian integers compared by value.
fn cmp_unsigned(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let strip = |x: &[u8]| -> Vec<u8> { x.iter().copied().skip_while(|&b| b == 0).collect() };
    let (a, b) = (strip(a), strip(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

/// Base CRL and the optional delta CRL (notation's `crl.Bundle`).
struct Bundle {
    base: Crl,
    delta: Option<Crl>,
}

/// Checks `cert` (issued by `issuer`) against each URL in order.
pub(super) fn check(
    ctx: &CheckContext<'_>,
    cert: &Certificate,
    issuer: &Certificate,
    urls: &[String],
) -> CertResult {
    let mut results = Vec::with_capacity(urls.len());
    let cert_has_freshest = has_freshest_crl(cert);
    for url in urls {
        let started = Instant::now();
        match check_url(ctx, cert, issuer, url, cert_has_freshest) {
            Ok(revoked) => {
                let status = if revoked {
                    RevocationStatus::Revoked
                } else {
                    RevocationStatus::Ok
                };
                let result = ServerResult {
                    server: url.clone(),
                    method: RevocationMethod::Crl,
                    status,
                    error: None,
                    duration: started.elapsed(),
                };
                if revoked {
                    return CertResult {
                        subject: cert.subject(),
                        status,
                        method: RevocationMethod::Crl,
                        servers: vec![result],
                        duration: Duration::ZERO,
                    };
                }
                results.push(result);
            }
            Err(error) => {
                // The first error ends the check with only that server reported, as upstream.
                return CertResult {
                    subject: cert.subject(),
                    status: RevocationStatus::Unknown,
                    method: RevocationMethod::Crl,
                    servers: vec![ServerResult {
                        server: url.clone(),
                        method: RevocationMethod::Crl,
                        status: RevocationStatus::Unknown,
                        error: Some(error),
                        duration: started.elapsed(),
                    }],
                    duration: Duration::ZERO,
                };
            }
        }
    }
    CertResult {
        subject: cert.subject(),
        status: RevocationStatus::Ok,
        method: RevocationMethod::Crl,
        servers: results,
        duration: Duration::ZERO,
    }
}

/// One distribution point: `Ok(true)` revoked, `Ok(false)` not, `Err` unknown.
fn check_url(
    ctx: &CheckContext<'_>,
    cert: &Certificate,
    issuer: &Certificate,
    url: &str,
    cert_has_freshest: bool,
) -> Result<bool, String> {
    let bundle = fetch_bundle(ctx.transport, ctx.config.crl_timeout, url)
        .map_err(|e| format!("failed to download CRL from {url}: failed to retrieve CRL: {e}"))?;
    if bundle.delta.is_none() && cert_has_freshest {
        return Err("freshest CRL from certificate extension is not supported".to_string());
    }
    validate_bundle(&bundle, issuer, Utc::now())
        .map_err(|e| format!("failed to validate CRL from {url}: {e}"))?;
    check_revocation(cert, &bundle, ctx.signing_time)
        .map_err(|e| format!("failed to check revocation status from {url}: {e}"))
}

/// `HTTPFetcher.fetch`: the base CRL, and the delta CRL from its FreshestCRL extension (its
/// URLs tried in order until one works).
fn fetch_bundle(transport: &dyn Transport, timeout: Duration, url: &str) -> Result<Bundle, String> {
    let base = fetch_crl(transport, timeout, url)?;
    let mut delta = None;
    if let Some(ext) = base.extension(&ID_CE_FRESHEST_CRL) {
        let urls = parse_crl_distribution_points(ext.extn_value.as_bytes())
            .map_err(|e| format!("failed to parse Freshest CRL extension: {e}"))?;
        let mut last_error = None;
        for delta_url in &urls {
            match fetch_crl(transport, timeout, delta_url) {
                Ok(crl) => {
                    delta = Some(crl);
                    last_error = None;
                    break;
                }
                Err(e) => last_error = Some(e),
            }
        }
        if let Some(e) = last_error {
            return Err(e);
        }
    }
    Ok(Bundle { base, delta })
}

fn fetch_crl(transport: &dyn Transport, timeout: Duration, url: &str) -> Result<Crl, String> {
    let scheme = url
        .split_once(':')
        .map(|(s, _)| s.to_ascii_lowercase())
        .unwrap_or_default();
    if scheme != "http" {
        return Err(format!(
            "unsupported scheme: {scheme}. Only supports CRL URL in HTTP protocol"
        ));
    }
    let started = std::time::Instant::now();
    let sent = transport.send(&Request {
        method: Method::Get,
        url,
        body: None,
        content_type: None,
        timeout,
        max_body: MAX_CRL_SIZE,
    });
    let ms = crate::logging::elapsed_ms(started);
    let shown = crate::logging::redacted_url(url);
    match &sent {
        Ok(response) => tracing::info!(target: "fluxverify::revocation",
            url = %shown,
            status = response.status(),
            bytes = response.body_len(),
            ms,
            "CRL request"
        ),
        Err(e) => {
            tracing::info!(target: "fluxverify::revocation", url = %shown, error = %e, ms, "CRL request failed")
        }
    }
    let body = match sent {
        Ok(Response::Success { body: Ok(body), .. }) => body,
        Ok(Response::Success { body: Err(e), .. }) => {
            return Err(format!("failed to read CRL response: {e}"))
        }
        Ok(Response::Failure { status }) => {
            return Err(format!("failed to download with status code: {status}"))
        }
        Err(e) => return Err(format!("request failed: {e}")),
    };
    if body.len() as u64 == MAX_CRL_SIZE {
        return Err(format!("CRL size exceeds the limit: {MAX_CRL_SIZE}"));
    }
    Crl::parse(&body)
}

/// notation-core-go `validate(bundle, issuer)`.
fn validate_bundle(
    bundle: &Bundle,
    issuer: &Certificate,
    now: DateTime<Utc>,
) -> Result<(), String> {
    validate_crl(&bundle.base, issuer, now)?;
    let Some(delta) = &bundle.delta else {
        return Ok(());
    };
    validate_crl(delta, issuer, now).map_err(|e| format!("failed to validate delta CRL: {e}"))?;
    let indicator = delta
        .extension(&ID_CE_DELTA_CRL_INDICATOR)
        .ok_or("delta CRL indicator extension is not found")?;
    let indicator = der::asn1::Uint::from_der(indicator.extn_value.as_bytes())
        .map_err(|_| "failed to parse delta CRL indicator extension")?;
    let base_number = bundle.base.number().unwrap_or_default();
    let delta_number = delta.number().unwrap_or_default();
    if cmp_unsigned(&delta_number, &base_number) != std::cmp::Ordering::Greater {
        return Err(format!(
            "delta CRL number {} is not greater than the base CRL number {}",
            decimal(&delta_number),
            decimal(&base_number)
        ));
    }
    if cmp_unsigned(indicator.as_bytes(), &base_number) == std::cmp::Ordering::Greater {
        return Err(format!(
            "delta CRL indicator {} is not less than or equal to the base CRL number {}",
            decimal(indicator.as_bytes()),
            decimal(&base_number)
        ));
    }
    Ok(())
}

/// notation-core-go `validateCRL`: issuer signature (Go's `RevocationList.CheckSignatureFrom`),
/// freshness and critical extensions.
fn validate_crl(crl: &Crl, issuer: &Certificate, now: DateTime<Utc>) -> Result<(), String> {
    check_signature_from(crl, issuer)
        .map_err(|e| format!("CRL is not signed by CA {}: {e},", issuer.subject()))?;
    let next_update = crl.next_update().ok_or("CRL NextUpdate is not set")?;
    if now > next_update {
        return Err(format!(
            "expired CRL. Current time {} is after CRL NextUpdate {}",
            time_string(now),
            time_string(next_update)
        ));
    }
    for ext in crl.extensions() {
        let known = ext.extn_id == ID_CE_ISSUING_DISTRIBUTION_POINT
            || ext.extn_id == ID_CE_DELTA_CRL_INDICATOR;
        if ext.critical && !known {
            return Err(format!(
                "unsupported critical extension found in CRL: {}",
                ext.extn_id
            ));
        }
    }
    Ok(())
}

/// Go's `RevocationList.CheckSignatureFrom(parent)`.
fn check_signature_from(crl: &Crl, parent: &Certificate) -> Result<(), String> {
    const CONSTRAINT: &str =
        "x509: invalid signature: parent certificate cannot sign this kind of certificate";
    let basic = parent.basic_constraints();
    if (parent.version() == 3 && basic.is_none()) || basic.is_some_and(|b| !b.ca) {
        return Err(CONSTRAINT.to_string());
    }
    if let Some(usage) = parent.key_usage() {
        // Go's KeyUsageCRLSign is bit 6.
        if usage != 0 && usage & (1 << 6) == 0 {
            return Err(CONSTRAINT.to_string());
        }
    }
    verify_x509_signature(
        &crl.signature_algorithm,
        parent.public_key(),
        &crl.tbs_der,
        &crl.signature,
    )
    .map_err(|e| e.to_string())
}

/// An entry's reason code (0 when absent, as Go's `RevocationListEntry.ReasonCode`).
fn reason_code(entry: &x509_cert::crl::RevokedCert) -> u8 {
    entry
        .crl_entry_extensions
        .as_deref()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == ID_CE_REASON_CODE))
        .and_then(|e| match e.extn_value.as_bytes() {
            [0x0a, 0x01, code] => Some(*code),
            _ => None,
        })
        .unwrap_or(0)
}

/// The invalidity date of an entry; unknown critical entry extensions are errors.
fn invalidity_date(entry: &x509_cert::crl::RevokedCert) -> Result<Option<DateTime<Utc>>, String> {
    let mut date = None;
    for ext in entry.crl_entry_extensions.as_deref().unwrap_or_default() {
        if ext.extn_id == ID_CE_INVALIDITY_DATE {
            let t = GeneralizedTime::from_der(ext.extn_value.as_bytes())
                .map_err(|e| format!("failed to parse invalidity date: asn1: {e}"))?;
            let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
            date = DateTime::<Utc>::from_timestamp(secs, 0);
        } else if ext.critical {
            return Err(format!(
                "unsupported critical extension found in CRL: {}",
                ext.extn_id
            ));
        }
    }
    Ok(date)
}

fn serial_eq(a: &[u8], b: &[u8]) -> bool {
    let strip = |x: &[u8]| -> Vec<u8> {
        let mut v: Vec<u8> = x.iter().copied().skip_while(|&b| b == 0).collect();
        if v.is_empty() {
            v.push(0);
        }
        v
    };
    strip(a) == strip(b)
}

/// notation-core-go `checkRevocation` over the base and delta entries.
fn check_revocation(
    cert: &Certificate,
    bundle: &Bundle,
    signing_time: Option<DateTime<Utc>>,
) -> Result<bool, String> {
    let lists = std::iter::once(&bundle.base).chain(bundle.delta.as_ref());
    // The most recent certificateHold / removeFromCRL entry: (revocation time, reason).
    let mut latest_temporary: Option<(DateTime<Utc>, u8)> = None;
    for crl in lists {
        for entry in crl.tbs.revoked_certificates.as_deref().unwrap_or_default() {
            if !serial_eq(entry.serial_number.as_bytes(), cert.serial_number()) {
                continue;
            }
            let invalidity = invalidity_date(entry)?;
            if let (Some(signing), Some(invalid)) = (signing_time, invalidity) {
                if signing < invalid {
                    // Not revoked when signed; upstream stops reading this list here.
                    break;
                }
            }
            let revoked_at = to_chrono(entry.revocation_date);
            match reason_code(entry) {
                REASON_CERTIFICATE_HOLD | REASON_REMOVE_FROM_CRL => {
                    let reason = reason_code(entry);
                    if latest_temporary.is_none_or(|(t, _)| t < revoked_at) {
                        latest_temporary = Some((revoked_at, reason));
                    }
                }
                _ => return Ok(true),
            }
        }
    }
    Ok(matches!(
        latest_temporary,
        Some((_, REASON_CERTIFICATE_HOLD))
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_comparison() {
        use std::cmp::Ordering::*;
        assert_eq!(cmp_unsigned(&[0, 5], &[5]), Equal);
        assert_eq!(cmp_unsigned(&[1, 0], &[0xff]), Greater);
        assert_eq!(cmp_unsigned(&[], &[1]), Less);
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn crl_signature_bit_string_read_as_go_reads_it() {
        let der = std::fs::read(crate::testdata::upstream(
            "notation/test/e2e/testdata/config/crl/leaf.crl",
        ))
        .unwrap();
        let original = Crl::parse(&der).unwrap();
        // The signature is the last element: 03 82 01 01 00 <256 octets>.
        let padding_at = der.len() - 257;
        assert_eq!(
            &der[padding_at - 4..padding_at + 1],
            &[0x03, 0x82, 0x01, 0x01, 0x00]
        );
        let with = |padding: u8, last: u8| {
            let mut mutant = der.clone();
            mutant[padding_at] = padding;
            *mutant.last_mut().unwrap() = last;
            Crl::parse(&mutant).map(|crl| crl.signature)
        };
        let last = *der.last().unwrap();
        let shifted = with(0x01, last & 0xfe).unwrap();
        assert_eq!(shifted.len(), 256);
        assert_ne!(shifted, original.signature);
        let malformed = Err("x509: malformed signature".to_string());
        assert_eq!(with(0x01, last | 0x01), malformed);
        assert_eq!(with(0x10, last), malformed);
    }
}
