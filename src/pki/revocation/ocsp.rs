//! OCSP as notation-core-go's `revocation/internal/ocsp` does it, with the response checks of
//! `golang.org/x/crypto/ocsp.ParseResponseForCert`.
//!
//! Per server, in order: http scheme only; a SHA-1 CertID request without nonce, sent as
//! `GET <server>/<url-escaped base64>` when that is shorter than 255 characters, else `POST`;
//! a 2xx status; at most 20 KiB read; the canned error bodies; the response signed by the issuer
//! or by an embedded responder certificate the issuer signed; `NextUpdate` present and not past;
//! then good / revoked (unless an invalidity date after a non-zero authentic signing time) /
//! unknown. The first server that answers good, revoked or unknown decides; otherwise the last
//! server's error stands.

use super::http::{Method, Request, Response};
use super::{CertResult, CheckContext, RevocationMethod, RevocationStatus, ServerResult};
use crate::golang::cryptobyte::BitString;
use crate::pki::algorithm::verify_x509_signature;
use crate::pki::cert::Certificate;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, GeneralizedTime, Null, OctetString};
use der::{Decode, Encode, Sequence};
use sha1::{Digest, Sha1};
use spki::AlgorithmIdentifierOwned;
use std::time::{Duration, Instant};
use x509_cert::serial_number::SerialNumber;
use x509_ocsp::{
    CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus,
    Request as OcspSingleRequest, ResponseData, TbsRequest,
};

/// Body cap (notation's `ocspMaxResponseSize`).
pub(super) const MAX_RESPONSE_SIZE: u64 = 20480;
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_PKIX_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
const ID_CE_INVALIDITY_DATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.24");

/// The canned unsigned error responses of RFC 6960 that x/crypto/ocsp exports; notation maps
/// them before parsing.
const CANNED_ERRORS: [(&[u8], &str); 5] = [
    (&[0x30, 0x03, 0x0a, 0x01, 0x06], "OCSP unauthorized"),
    (&[0x30, 0x03, 0x0a, 0x01, 0x01], "OCSP malformed"),
    (&[0x30, 0x03, 0x0a, 0x01, 0x02], "OCSP internal error"),
    (&[0x30, 0x03, 0x0a, 0x01, 0x03], "OCSP try later"),
    (&[0x30, 0x03, 0x0a, 0x01, 0x05], "OCSP signature required"),
];

/// How one server's attempt ended.
enum Outcome {
    Good,
    Revoked,
    UnknownStatus,
    Error(String),
}

/// Checks `cert` (issued by `issuer`) against each of `servers` in order.
pub(super) fn check(
    ctx: &CheckContext<'_>,
    cert: &Certificate,
    issuer: &Certificate,
    servers: &[String],
) -> CertResult {
    let mut results = Vec::with_capacity(servers.len());
    for server in servers {
        let started = Instant::now();
        let outcome = check_server(ctx, cert, issuer, server);
        let result = server_result(server, outcome, started.elapsed());
        let decisive = matches!(
            result.status,
            RevocationStatus::Ok | RevocationStatus::Revoked
        ) || result.error.as_deref() == Some(UNKNOWN_STATUS);
        if decisive {
            return CertResult {
                subject: cert.subject(),
                status: result.status,
                method: RevocationMethod::Ocsp,
                servers: vec![result],
                duration: Duration::ZERO,
            };
        }
        results.push(result);
    }
    CertResult {
        subject: cert.subject(),
        status: results
            .last()
            .map_or(RevocationStatus::NonRevokable, |r| r.status),
        method: RevocationMethod::Ocsp,
        servers: results,
        duration: Duration::ZERO,
    }
}

const UNKNOWN_STATUS: &str = "certificate has unknown status via OCSP";

fn server_result(server: &str, outcome: Outcome, duration: Duration) -> ServerResult {
    let (status, error) = match outcome {
        Outcome::Good => (RevocationStatus::Ok, None),
        Outcome::Revoked => (
            RevocationStatus::Revoked,
            Some("certificate is revoked via OCSP".to_string()),
        ),
        Outcome::UnknownStatus => (RevocationStatus::Unknown, Some(UNKNOWN_STATUS.to_string())),
        Outcome::Error(e) => (RevocationStatus::Unknown, Some(e)),
    };
    ServerResult {
        server: server.to_string(),
        method: RevocationMethod::Ocsp,
        status,
        error,
        duration,
    }
}

fn generic(err: impl std::fmt::Display) -> String {
    format!("error checking revocation status via OCSP: {err}")
}

fn check_server(
    ctx: &CheckContext<'_>,
    cert: &Certificate,
    issuer: &Certificate,
    server: &str,
) -> Outcome {
    let scheme = server.split_once(':').map_or("", |(s, _)| s);
    let scheme_ok = server.contains("://") && scheme.eq_ignore_ascii_case("http");
    if !scheme_ok {
        return Outcome::Error(generic(format!(
            "OCSPServer protocol {} is not supported",
            if server.contains(':') { scheme } else { "" }
        )));
    }
    let request = match build_request(cert, issuer) {
        Ok(request) => request,
        Err(e) => return Outcome::Error(generic(e)),
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(&request);
    let escaped = query_escape(&encoded);
    let get_url;
    let http_request = if encoded.len() < 255 && escaped.len() < 255 {
        get_url = join_path(server, &escaped);
        Request {
            method: Method::Get,
            url: &get_url,
            body: None,
            content_type: None,
            timeout: ctx.config.ocsp_timeout,
            max_body: MAX_RESPONSE_SIZE,
        }
    } else {
        Request {
            method: Method::Post,
            url: server,
            body: Some(&request),
            content_type: Some("application/ocsp-request"),
            timeout: ctx.config.ocsp_timeout,
            max_body: MAX_RESPONSE_SIZE,
        }
    };
    let started = std::time::Instant::now();
    let sent = ctx.transport.send(&http_request);
    let ms = crate::logging::elapsed_ms(started);
    // The responder's URL, not the GET URL: that one only adds the encoded request.
    let shown = crate::logging::redacted_url(server);
    let method = http_request.method.as_str().to_ascii_uppercase();
    match &sent {
        Ok(response) => tracing::info!(target: "fluxverify::revocation",
            %method,
            url = %shown,
            status = response.status(),
            bytes = response.body_len(),
            ms,
            "OCSP request"
        ),
        Err(e) => {
            tracing::info!(target: "fluxverify::revocation", %method, url = %shown, error = %e, ms, "OCSP request failed")
        }
    }
    // notation: only a `*url.Error` that timed out is the `TimeoutError`; a deadline while
    // reading the body is a plain `GenericError`, like any other body-read failure.
    let body = match sent {
        Ok(Response::Success { body: Ok(body), .. }) => body,
        Ok(Response::Success { body: Err(e), .. }) => return Outcome::Error(generic(e)),
        Ok(Response::Failure { status }) => {
            return Outcome::Error(format!(
                "failed to retrieve OCSP: response had status code {status}"
            ))
        }
        Err(e) if e.is_timeout() => {
            return Outcome::Error(format!(
                "exceeded timeout threshold of {:.2} seconds for OCSP check",
                ctx.config.ocsp_timeout.as_secs_f64()
            ))
        }
        Err(e) => return Outcome::Error(generic(e)),
    };
    if let Some((_, text)) = CANNED_ERRORS
        .iter()
        .find(|(canned, _)| *canned == body.as_slice())
    {
        return Outcome::Error(generic(text));
    }
    let parsed = match parse_response_for_cert(&body, cert, issuer) {
        Ok(parsed) => parsed,
        Err(e) => return Outcome::Error(e),
    };
    let now = Utc::now();
    match parsed.next_update {
        Some(next) if now <= next => {}
        _ => return Outcome::Error(generic("expired OCSP response")),
    }
    if parsed.revoked {
        if let (Some(invalidity), Some(signing_time)) = (parsed.invalidity_date, ctx.signing_time) {
            if signing_time < invalidity {
                return Outcome::Good;
            }
        }
        return Outcome::Revoked;
    }
    if parsed.good {
        Outcome::Good
    } else {
        Outcome::UnknownStatus
    }
}

/// x/crypto/ocsp `CreateRequest` with SHA-1: one CertID, no nonce, no signature.
pub(super) fn build_request(cert: &Certificate, issuer: &Certificate) -> Result<Vec<u8>, String> {
    let issuer_key = issuer
        .public_key()
        .subject_public_key
        .as_bytes()
        .ok_or("issuer public key has unused bits")?;
    let serial = SerialNumber::new(cert.serial_number()).map_err(|e| e.to_string())?;
    let cert_id = CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ID_SHA1,
            parameters: Some(Null.into()),
        },
        issuer_name_hash: OctetString::new(Sha1::digest(issuer.raw_subject()).to_vec())
            .map_err(|e| e.to_string())?,
        issuer_key_hash: OctetString::new(Sha1::digest(issuer_key).to_vec())
            .map_err(|e| e.to_string())?,
        serial_number: serial,
    };
    let request = OcspRequest {
        tbs_request: TbsRequest {
            version: Default::default(),
            requestor_name: None,
            request_list: vec![OcspSingleRequest {
                req_cert: cert_id,
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    };
    request.to_der().map_err(|e| e.to_string())
}

/// Go's `url.QueryEscape`.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Go's `url.JoinPath(server, elem)` for the common case of a path without dot segments.
fn join_path(server: &str, elem: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server, None),
    };
    let mut url = base.trim_end_matches('/').to_string();
    url.push('/');
    url.push_str(elem);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

/// `BasicOCSPResponse` with the signed part kept raw: the signature covers the exact bytes.
#[derive(Sequence)]
struct RawBasicResponse<'a> {
    tbs_response_data: AnyRef<'a>,
    signature_algorithm: AlgorithmIdentifierOwned,
    /// Read as encoding/asn1 reads it, not by `der`'s BIT STRING rules.
    signature: AnyRef<'a>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    certs: Option<Vec<AnyRef<'a>>>,
}

/// What notation uses from a parsed response.
struct ParsedResponse {
    good: bool,
    revoked: bool,
    next_update: Option<DateTime<Utc>>,
    invalidity_date: Option<DateTime<Utc>>,
}

fn to_chrono(t: &GeneralizedTime) -> Option<DateTime<Utc>> {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).ok()?;
    DateTime::<Utc>::from_timestamp(secs, 0)
}

fn serial_eq(a: &[u8], b: &[u8]) -> bool {
    fn trim(x: &[u8]) -> &[u8] {
        let mut x = x;
        while x.len() > 1 && x.first() == Some(&0) {
            x = x.get(1..).unwrap_or_default();
        }
        x
    }
    trim(a) == trim(b)
}

/// x/crypto/ocsp `ParseResponseForCert(body, cert, issuer)`; errors are its texts.
fn parse_response_for_cert(
    body: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
) -> Result<ParsedResponse, String> {
    let response =
        OcspResponse::from_der(body).map_err(|e| format!("asn1: structure error: {e}"))?;
    if response.response_status != OcspResponseStatus::Successful {
        let status = match response.response_status {
            OcspResponseStatus::MalformedRequest => "malformed",
            OcspResponseStatus::InternalError => "internal error",
            OcspResponseStatus::TryLater => "try later",
            OcspResponseStatus::SigRequired => "signature required",
            OcspResponseStatus::Unauthorized => "unauthorized",
            OcspResponseStatus::Successful => "success",
        };
        return Err(format!("ocsp: error from server: {status}"));
    }
    let bytes = response
        .response_bytes
        .ok_or("bad OCSP response type".to_string())?;
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err("bad OCSP response type".to_string());
    }
    let raw = RawBasicResponse::from_der(bytes.response.as_bytes())
        .map_err(|e| format!("asn1: structure error: {e}"))?;
    // x/crypto/ocsp unmarshals with encoding/asn1, whose BIT STRING rules are cryptobyte's
    // (with its own texts), and verifies the right-aligned value.
    if der::Tagged::tag(&raw.signature) != der::Tag::BitString {
        return Err("asn1: structure error: tags don't match".to_string());
    }
    let signature = match raw.signature.value().split_first() {
        None => return Err("asn1: syntax error: zero length BIT STRING".to_string()),
        Some((padding, bytes)) => BitString::checked(*padding, bytes)
            .ok_or("asn1: syntax error: invalid padding bits in BIT STRING".to_string())?
            .right_align(),
    };
    let tbs_der = raw
        .tbs_response_data
        .to_der()
        .map_err(|e| format!("asn1: structure error: {e}"))?;
    let data =
        ResponseData::from_der(&tbs_der).map_err(|e| format!("asn1: structure error: {e}"))?;
    if data.responses.is_empty() {
        return Err("OCSP response contains no Status".to_string());
    }
    let single = data
        .responses
        .iter()
        .find(|r| serial_eq(r.cert_id.serial_number.as_bytes(), cert.serial_number()))
        .ok_or("no response matching the supplied certificate".to_string())?;
    let signature = signature.as_slice();
    let embedded = raw.certs.as_deref().and_then(|c| c.first());
    if let Some(embedded) = embedded {
        // Responders should send the certificate linking them to the issuer; only the first is
        // looked at, and it must be signed by the issuer, as upstream. A CA that signs its own
        // responses and embeds its own certificate therefore fails here, in Go as well.
        let der = embedded.to_der().map_err(|e| e.to_string())?;
        let responder = Certificate::from_der(&der).map_err(|e| e.to_string())?;
        verify_x509_signature(
            &raw.signature_algorithm,
            responder.public_key(),
            &tbs_der,
            signature,
        )
        .map_err(|e| format!("bad signature on embedded certificate: {e}"))?;
        verify_x509_signature(
            responder.signature_algorithm(),
            issuer.public_key(),
            responder.raw_tbs(),
            responder.signature(),
        )
        .map_err(|e| format!("bad OCSP signature: {e}"))?;
    } else {
        verify_x509_signature(
            &raw.signature_algorithm,
            issuer.public_key(),
            &tbs_der,
            signature,
        )
        .map_err(|e| format!("bad OCSP signature: {e}"))?;
    }
    if single
        .single_extensions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|e| e.critical)
    {
        return Err("unsupported critical extension".to_string());
    }
    const KNOWN_HASHES: [&str; 4] = [
        "1.3.14.3.2.26",
        "2.16.840.1.101.3.4.2.1",
        "2.16.840.1.101.3.4.2.2",
        "2.16.840.1.101.3.4.2.3",
    ];
    if !KNOWN_HASHES.contains(&single.cert_id.hash_algorithm.oid.to_string().as_str()) {
        return Err("unsupported issuer hash algorithm".to_string());
    }
    let invalidity_date = single
        .single_extensions
        .as_deref()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == ID_CE_INVALIDITY_DATE))
        .and_then(|e| GeneralizedTime::from_der(e.extn_value.as_bytes()).ok())
        .and_then(|t| to_chrono(&t));
    Ok(ParsedResponse {
        good: matches!(single.cert_status, CertStatus::Good(_)),
        revoked: matches!(single.cert_status, CertStatus::Revoked(_)),
        next_update: single.next_update.as_ref().and_then(|t| to_chrono(&t.0)),
        invalidity_date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_escape_matches_go() {
        assert_eq!(query_escape("MEMw+/=a b~"), "MEMw%2B%2F%3Da+b~");
    }

    #[test]
    fn join_path_appends_a_segment() {
        assert_eq!(join_path("http://h/ocsp", "abc"), "http://h/ocsp/abc");
        assert_eq!(join_path("http://h/ocsp/", "abc"), "http://h/ocsp/abc");
        assert_eq!(join_path("http://h:8080", "abc"), "http://h:8080/abc");
    }

    #[test]
    fn canned_error_bodies_decode_as_their_status() {
        for (body, _) in CANNED_ERRORS {
            let parsed = OcspResponse::from_der(body).unwrap();
            assert_ne!(parsed.response_status, OcspResponseStatus::Successful);
        }
    }
}
