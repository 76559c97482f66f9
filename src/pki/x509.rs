//! Go's certificate parser, check for check: `parseCertificate` of Go 1.26's
//! `crypto/x509/parser.go` and the functions it calls (`parseAI`, `parseValidity`,
//! `parsePublicKey`, `parseExtension`, `processExtensions`), reading the DER in the same order
//! with cryptobyte's rules and failing with the same texts.
//!
//! Written by hand: no crate reproduces Go's check order and messages, and users see them
//! (Flux prints a certificate parse error as it is, e.g. `x509: malformed UTCTime`, and
//! notation's `malformed leaf certificate` depends on Go refusing the leaf at parse time rather
//! than later). Where this module and `x509-cert` disagree on what a certificate is, Go wins:
//! nothing else decides whether bytes are a certificate.

use super::key::PublicKey;
use super::name::{Name, NameError};
pub(crate) use crate::golang::cryptobyte::dotted;
use crate::golang::cryptobyte::{tag, Input, Oid};
use chrono::{DateTime, Utc};

/// Why bytes are not a certificate as Go reads them; `Display` is Go's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// One of Go's fixed texts.
    #[error("{0}")]
    Go(&'static str),
    /// A formatted Go text (duplicate extensions, key and SAN errors).
    #[error("{0}")]
    Text(String),
    /// A name Go's `parseName` rejects.
    #[error(transparent)]
    Name(#[from] NameError),
}

fn fail<T>(text: &'static str) -> Result<T, ParseError> {
    Err(ParseError::Go(text))
}

/// An `AlgorithmIdentifier` as `parseAI` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AlgorithmId {
    /// The algorithm's arcs.
    pub(crate) arcs: Vec<u64>,
    /// The OID's contents octets.
    pub(crate) oid_der: Vec<u8>,
    /// The parameters' whole encoding (`Parameters.FullBytes`), empty when absent.
    pub(crate) params: Vec<u8>,
}

/// One extension as `parseExtension` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Extension {
    pub(crate) arcs: Vec<u64>,
    pub(crate) oid_der: Vec<u8>,
    pub(crate) critical: bool,
    pub(crate) value: Vec<u8>,
}

/// What `processExtensions` sets on Go's `Certificate`, for the fields read here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Processed {
    /// `KeyUsage` bits (bit i = `usageBits.At(i)`), when the extension is present.
    pub(crate) key_usage: Option<u16>,
    /// `IsCA` and `MaxPathLen` (-1 when absent), when the extension is present
    /// (`BasicConstraintsValid`).
    pub(crate) basic_constraints: Option<(bool, i64)>,
    /// `UnhandledCriticalExtensions` is not empty.
    pub(crate) unhandled_critical: bool,
}

/// A certificate as Go's parser leaves it: byte ranges into the input and the values read.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    /// Length of the whole certificate (`Raw`).
    pub(crate) len: usize,
    pub(crate) tbs: (usize, usize),
    pub(crate) issuer: (usize, usize),
    pub(crate) subject: (usize, usize),
    pub(crate) spki: (usize, usize),
    /// 1, 2 or 3.
    pub(crate) version: u8,
    /// The serial number's INTEGER contents.
    pub(crate) serial: Vec<u8>,
    pub(crate) signature_algorithm: AlgorithmId,
    pub(crate) issuer_name: Name,
    pub(crate) subject_name: Name,
    pub(crate) not_before: DateTime<Utc>,
    pub(crate) not_after: DateTime<Utc>,
    pub(crate) key_algorithm: AlgorithmId,
    /// The subject public key, right-aligned, and its padding-bit count.
    pub(crate) key_bits: Vec<u8>,
    /// Go's `PublicKey`: `None` for algorithms Go does not parse keys of.
    pub(crate) key: Option<PublicKey>,
    pub(crate) extensions: Vec<Extension>,
    pub(crate) processed: Processed,
    /// `signatureValue`, right-aligned.
    pub(crate) signature: Vec<u8>,
}

fn span(outer: &[u8], inner: &[u8]) -> (usize, usize) {
    let start = (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize);
    (start, start + inner.len())
}

/// `parseAI`.
fn parse_ai(der: &[u8]) -> Result<AlgorithmId, ParseError> {
    let mut der = Input::new(der);
    let Some(oid) = der.read_oid() else {
        return fail("x509: malformed OID");
    };
    let params = if der.is_empty() {
        Vec::new()
    } else {
        match der.read_any_element() {
            Some((_, element)) => element.to_vec(),
            None => return fail("x509: malformed parameters"),
        }
    };
    Ok(AlgorithmId {
        arcs: oid.arcs.clone(),
        oid_der: oid.der.to_vec(),
        params,
    })
}

/// `readASN1Time`.
fn read_time(der: &mut Input<'_>) -> Result<DateTime<Utc>, ParseError> {
    if der.peek(tag::UTC_TIME) {
        der.read_utc_time()
            .ok_or(ParseError::Go("x509: malformed UTCTime"))
    } else if der.peek(tag::GENERALIZED_TIME) {
        der.read_generalized_time()
            .ok_or(ParseError::Go("x509: malformed GeneralizedTime"))
    } else {
        fail("x509: unsupported time format")
    }
}

/// `parseCertificate`: the certificate at the start of `input`.
pub(crate) fn parse_certificate(input: &[u8]) -> Result<Parsed, ParseError> {
    let mut outer = Input::new(input);
    let Some(raw) = outer.read_element_with(tag::SEQUENCE) else {
        return fail("x509: malformed certificate");
    };
    let Some(cert) = Input::new(raw).read(tag::SEQUENCE) else {
        return fail("x509: malformed certificate");
    };
    let mut cert = Input::new(cert);

    let Some(tbs_raw) = cert.read_element_with(tag::SEQUENCE) else {
        return fail("x509: malformed tbs certificate");
    };
    let Some(tbs) = Input::new(tbs_raw).read(tag::SEQUENCE) else {
        return fail("x509: malformed tbs certificate");
    };
    let mut tbs = Input::new(tbs);

    // ReadOptionalASN1Integer(&cert.Version, [0] EXPLICIT, 0).
    let version = match tbs.read_optional(tag::context_constructed(0)) {
        None => return fail("x509: malformed version"),
        Some(None) => 0,
        Some(Some(explicit)) => {
            let mut explicit = Input::new(explicit);
            match explicit.read_int64() {
                Some(v) if explicit.is_empty() => v,
                _ => return fail("x509: malformed version"),
            }
        }
    };
    // Go 1.26: a negative version is malformed, anything above v3 invalid.
    if version < 0 {
        return fail("x509: malformed version");
    }
    if version > 2 {
        return fail("x509: invalid version");
    }
    let version = u8::try_from(version + 1).unwrap_or(3);

    let Some(serial) = tbs.read_big_integer() else {
        return fail("x509: malformed serial number");
    };
    // Go 1.23 and later refuse negative serial numbers (GODEBUG x509negativeserial=1 aside).
    if serial.first().is_some_and(|b| b & 0x80 != 0) {
        return fail("x509: negative serial number");
    }

    let Some(sig_ai_raw) = tbs.read_element_with(tag::SEQUENCE) else {
        return fail("x509: malformed signature algorithm identifier");
    };
    let Some(sig_ai) = Input::new(sig_ai_raw).read(tag::SEQUENCE) else {
        return fail("x509: malformed signature algorithm identifier");
    };
    let Some(outer_sig_ai) = cert.read(tag::SEQUENCE) else {
        return fail("x509: malformed algorithm identifier");
    };
    if outer_sig_ai != sig_ai {
        return fail("x509: inner and outer signature algorithm identifiers don't match");
    }
    let signature_algorithm = parse_ai(sig_ai)?;

    let Some(issuer) = tbs.read_element_with(tag::SEQUENCE) else {
        return fail("x509: malformed issuer");
    };
    let issuer_name = Name::from_der(issuer)?;

    let Some(validity) = tbs.read(tag::SEQUENCE) else {
        return fail("x509: malformed validity");
    };
    let mut validity = Input::new(validity);
    let not_before = read_time(&mut validity)?;
    let not_after = read_time(&mut validity)?;

    // Go words a malformed subject as "malformed issuer" too.
    let Some(subject) = tbs.read_element_with(tag::SEQUENCE) else {
        return fail("x509: malformed issuer");
    };
    let subject_name = Name::from_der(subject)?;

    let Some(spki) = tbs.read_element_with(tag::SEQUENCE) else {
        return fail("x509: malformed spki");
    };
    let Some(spki_fields) = Input::new(spki).read(tag::SEQUENCE) else {
        return fail("x509: malformed spki");
    };
    let mut spki_fields = Input::new(spki_fields);
    let Some(pk_ai) = spki_fields.read(tag::SEQUENCE) else {
        return fail("x509: malformed public key algorithm identifier");
    };
    let key_algorithm = parse_ai(pk_ai)?;
    let Some(spk) = spki_fields.read_bit_string() else {
        return fail("x509: malformed subjectPublicKey");
    };
    let key_bits = spk.right_align();
    let key_oid = Oid {
        arcs: key_algorithm.arcs.clone(),
        der: &key_algorithm.oid_der,
    };
    let key = PublicKey::parse_go(&key_oid, &key_algorithm.params, &key_bits)
        .map_err(|e| ParseError::Text(e.0))?;

    let mut extensions = Vec::new();
    let mut processed = Processed::default();
    if version > 1 {
        if !tbs.skip_optional(tag::context(1)) {
            return fail("x509: malformed issuerUniqueID");
        }
        if !tbs.skip_optional(tag::context(2)) {
            return fail("x509: malformed subjectUniqueID");
        }
        if version == 3 {
            let Some(present) = tbs.read_optional(tag::context_constructed(3)) else {
                return fail("x509: malformed extensions");
            };
            if let Some(wrapped) = present {
                let Some(list) = Input::new(wrapped).read(tag::SEQUENCE) else {
                    return fail("x509: malformed extensions");
                };
                let mut list = Input::new(list);
                while !list.is_empty() {
                    let Some(extension) = list.read(tag::SEQUENCE) else {
                        return fail("x509: malformed extension");
                    };
                    let ext = parse_extension(extension)?;
                    if extensions.iter().any(|e: &Extension| e.arcs == ext.arcs) {
                        return Err(ParseError::Text(format!(
                            "x509: certificate contains duplicate extension with OID \"{}\"",
                            dotted(&ext.arcs)
                        )));
                    }
                    extensions.push(ext);
                }
                processed = process_extensions(&extensions)?;
            }
        }
    }

    let Some(signature) = cert.read_bit_string() else {
        return fail("x509: malformed signature");
    };

    Ok(Parsed {
        len: raw.len(),
        tbs: span(raw, tbs_raw),
        issuer: span(raw, issuer),
        subject: span(raw, subject),
        spki: span(raw, spki),
        version,
        serial: serial.to_vec(),
        signature_algorithm,
        issuer_name,
        subject_name,
        not_before,
        not_after,
        key_algorithm,
        key_bits,
        key,
        extensions,
        processed,
        signature: signature.right_align(),
    })
}

/// `parseExtension`.
fn parse_extension(der: &[u8]) -> Result<Extension, ParseError> {
    let mut der = Input::new(der);
    let Some(oid) = der.read_oid() else {
        return fail("x509: malformed extension OID field");
    };
    let mut critical = false;
    if der.peek(tag::BOOLEAN) {
        match der.read_boolean() {
            Some(value) => critical = value,
            None => return fail("x509: malformed extension critical field"),
        }
    }
    let Some(value) = der.read(tag::OCTET_STRING) else {
        return fail("x509: malformed extension value field");
    };
    Ok(Extension {
        arcs: oid.arcs.clone(),
        oid_der: oid.der.to_vec(),
        critical,
        value: value.to_vec(),
    })
}

/// `isIA5String`.
fn is_ia5(bytes: &[u8]) -> bool {
    bytes.is_ascii()
}

/// `processExtensions`, for every extension Go interprets: the same checks in the same order,
/// keeping the values the verification uses.
fn process_extensions(extensions: &[Extension]) -> Result<Processed, ParseError> {
    let mut out = Processed::default();
    for e in extensions {
        let mut unhandled = false;
        let value = e.value.as_slice();
        match e.arcs.as_slice() {
            [2, 5, 29, 15] => out.key_usage = Some(parse_key_usage(value)?),
            [2, 5, 29, 19] => out.basic_constraints = Some(parse_basic_constraints(value)?),
            [2, 5, 29, 17] => {
                let names = parse_san(value)?;
                if names == 0 {
                    unhandled = true;
                }
            }
            [2, 5, 29, 30] => unhandled = parse_name_constraints(value)?,
            [2, 5, 29, 31] => parse_crl_distribution_points(value)?,
            [2, 5, 29, 35] => parse_authority_key_identifier(e.critical, value)?,
            [2, 5, 29, 36] => parse_policy_constraints(value)?,
            [2, 5, 29, 37] => parse_ext_key_usage(value)?,
            [2, 5, 29, 14] => {
                if e.critical {
                    return fail("x509: subject key identifier incorrectly marked critical");
                }
                if Input::new(value).read(tag::OCTET_STRING).is_none() {
                    return fail("x509: invalid subject key identifier");
                }
            }
            [2, 5, 29, 32] => parse_certificate_policies(value)?,
            [2, 5, 29, 33] => parse_policy_mappings(value)?,
            [2, 5, 29, 54] => {
                if Input::new(value).read_int64().is_none() {
                    return fail("x509: invalid inhibit any policy extension");
                }
            }
            [2, 5, 29, _] => unhandled = true,
            [1, 3, 6, 1, 5, 5, 7, 1, 1] => parse_authority_info_access(e.critical, value)?,
            _ => unhandled = true,
        }
        if e.critical && unhandled {
            out.unhandled_critical = true;
        }
    }
    Ok(out)
}

/// `parseKeyUsageExtension`: bit i of the result is `usageBits.At(i)`, for the nine usages.
fn parse_key_usage(der: &[u8]) -> Result<u16, ParseError> {
    let Some(bits) = Input::new(der).read_bit_string() else {
        return fail("x509: invalid key usage");
    };
    Ok((0..9)
        .filter(|i| bits.at(*i))
        .fold(0u16, |acc, i| acc | 1 << i))
}

/// `parseBasicConstraintsExtension`: `cA` and the path length (-1 when absent).
fn parse_basic_constraints(der: &[u8]) -> Result<(bool, i64), ParseError> {
    let invalid = || ParseError::Go("x509: invalid basic constraints");
    let mut seq = Input::new(Input::new(der).read(tag::SEQUENCE).ok_or_else(invalid)?);
    let mut is_ca = false;
    if seq.peek(tag::BOOLEAN) {
        is_ca = seq.read_boolean().ok_or_else(invalid)?;
    }
    let mut max_path_len = -1;
    if seq.peek(tag::INTEGER) {
        let value = seq.read_uint64().ok_or_else(invalid)?;
        max_path_len = i64::try_from(value).map_err(|_| invalid())?;
    }
    Ok((is_ca, max_path_len))
}

/// `parseSANExtension` (through `forEachSAN`): the number of names Go keeps.
fn parse_san(der: &[u8]) -> Result<usize, ParseError> {
    let Some(seq) = Input::new(der).read(tag::SEQUENCE) else {
        return fail("x509: invalid subject alternative names");
    };
    let mut seq = Input::new(seq);
    let mut names = 0;
    while !seq.is_empty() {
        let Some((tag, data)) = seq.read_any() else {
            return fail("x509: invalid subject alternative name");
        };
        // Go switches on `tag ^ 0x80`: only context-specific primitive tags match.
        match tag ^ 0x80 {
            1 => {
                if !is_ia5(data) {
                    return fail("x509: SAN rfc822Name is malformed");
                }
                names += 1;
            }
            2 => {
                if !is_ia5(data) {
                    return fail("x509: SAN dNSName is malformed");
                }
                names += 1;
            }
            6 => {
                if !is_ia5(data) {
                    return fail("x509: SAN uniformResourceIdentifier is malformed");
                }
                // Go's url.Parse and host checks are not modelled; an ASCII URI is kept.
                names += 1;
            }
            7 => match data.len() {
                16 => {
                    if data.get(..12) == Some(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff][..]) {
                        return fail("x509: SAN iPAddress contains IPv4-mapped IPv6 address");
                    }
                    names += 1;
                }
                4 => names += 1,
                n => {
                    return Err(ParseError::Text(format!(
                        "x509: cannot parse IP address of length {n}"
                    )))
                }
            },
            _ => {}
        }
    }
    Ok(names)
}

/// `parseAuthorityKeyIdentifier`.
fn parse_authority_key_identifier(critical: bool, der: &[u8]) -> Result<(), ParseError> {
    if critical {
        return fail("x509: authority key identifier incorrectly marked critical");
    }
    let Some(akid) = Input::new(der).read(tag::SEQUENCE) else {
        return fail("x509: invalid authority key identifier");
    };
    let akid = Input::new(akid);
    if akid.peek(tag::context(0)) && akid.clone_read(tag::context(0)).is_none() {
        return fail("x509: invalid authority key identifier");
    }
    Ok(())
}

/// `parseExtKeyUsageExtension`.
fn parse_ext_key_usage(der: &[u8]) -> Result<(), ParseError> {
    let invalid = || ParseError::Go("x509: invalid extended key usages");
    let mut seq = Input::new(Input::new(der).read(tag::SEQUENCE).ok_or_else(invalid)?);
    while !seq.is_empty() {
        seq.read_oid().ok_or_else(invalid)?;
    }
    Ok(())
}

/// `parseCertificatePoliciesExtension`, with `newOIDFromDER`'s validity check.
fn parse_certificate_policies(der: &[u8]) -> Result<(), ParseError> {
    let invalid = || ParseError::Go("x509: invalid certificate policies");
    let mut seq = Input::new(Input::new(der).read(tag::SEQUENCE).ok_or_else(invalid)?);
    let mut seen: Vec<&[u8]> = Vec::new();
    while !seq.is_empty() {
        let policy = seq.read(tag::SEQUENCE).ok_or_else(invalid)?;
        let oid = Input::new(policy)
            .read(tag::OBJECT_IDENTIFIER)
            .ok_or_else(invalid)?;
        if seen.contains(&oid) {
            return Err(invalid());
        }
        seen.push(oid);
        if !oid_der_valid(oid) {
            return Err(invalid());
        }
    }
    Ok(())
}

/// `newOIDFromDER`: non-empty, the last octet ends an arc, and no arc starts with `0x80`.
fn oid_der_valid(der: &[u8]) -> bool {
    if der.is_empty() || der.last().is_some_and(|b| b & 0x80 != 0) {
        return false;
    }
    let mut start = true;
    for b in der {
        if start && *b == 0x80 {
            return false;
        }
        start = b & 0x80 == 0;
    }
    true
}

/// Policy mappings: a SEQUENCE of SEQUENCEs of two OIDs.
fn parse_policy_mappings(der: &[u8]) -> Result<(), ParseError> {
    let invalid = || ParseError::Go("x509: invalid policy mappings extension");
    let mut seq = Input::new(Input::new(der).read(tag::SEQUENCE).ok_or_else(invalid)?);
    while !seq.is_empty() {
        let mut mapping = Input::new(seq.read(tag::SEQUENCE).ok_or_else(invalid)?);
        mapping.read(tag::OBJECT_IDENTIFIER).ok_or_else(invalid)?;
        mapping.read(tag::OBJECT_IDENTIFIER).ok_or_else(invalid)?;
    }
    Ok(())
}

/// Policy constraints: optional `[0]` and `[1]` integers that fit a Go `int`.
fn parse_policy_constraints(der: &[u8]) -> Result<(), ParseError> {
    let invalid = || ParseError::Go("x509: invalid policy constraints extension");
    let mut seq = Input::new(Input::new(der).read(tag::SEQUENCE).ok_or_else(invalid)?);
    for n in [0, 1] {
        if seq.peek(tag::context(n)) {
            seq.read_int64_with_tag(tag::context(n))
                .ok_or_else(invalid)?;
        }
    }
    Ok(())
}

/// CRL distribution points: the structure Go walks to collect `fullName` URIs.
fn parse_crl_distribution_points(der: &[u8]) -> Result<(), ParseError> {
    let Some(seq) = Input::new(der).read(tag::SEQUENCE) else {
        return fail("x509: invalid CRL distribution points");
    };
    let invalid = || ParseError::Go("x509: invalid CRL distribution point");
    let mut seq = Input::new(seq);
    while !seq.is_empty() {
        let mut dp = Input::new(seq.read(tag::SEQUENCE).ok_or_else(invalid)?);
        let Some(name) = dp
            .read_optional(tag::context_constructed(0))
            .ok_or_else(invalid)?
        else {
            continue;
        };
        let full_name = Input::new(name)
            .read(tag::context_constructed(0))
            .ok_or_else(invalid)?;
        let mut full_name = Input::new(full_name);
        while !full_name.is_empty() {
            if !full_name.peek(tag::context(6)) {
                break;
            }
            full_name.read(tag::context(6)).ok_or_else(invalid)?;
        }
    }
    Ok(())
}

/// Authority information access.
fn parse_authority_info_access(critical: bool, der: &[u8]) -> Result<(), ParseError> {
    if critical {
        return fail("x509: authority info access incorrectly marked critical");
    }
    let invalid = || ParseError::Go("x509: invalid authority info access");
    let mut seq = Input::new(Input::new(der).read(tag::SEQUENCE).ok_or_else(invalid)?);
    while !seq.is_empty() {
        let mut access = Input::new(seq.read(tag::SEQUENCE).ok_or_else(invalid)?);
        access.read_oid().ok_or_else(invalid)?;
        if !access.peek(tag::context(6)) {
            continue;
        }
        access.read(tag::context(6)).ok_or_else(invalid)?;
    }
    Ok(())
}

/// `parseNameConstraintsExtension`: whether it holds a name type Go does not handle.
///
/// The structure, the emptiness rules and the value checks of DNS, IP, email and URI
/// constraints are Go's; an email constraint with `@` is only checked to be IA5 (Go parses it
/// as an RFC 2821 mailbox).
fn parse_name_constraints(der: &[u8]) -> Result<bool, ParseError> {
    let invalid = || ParseError::Go("x509: invalid NameConstraints extension");
    let mut outer = Input::new(der);
    let top = outer.read(tag::SEQUENCE).ok_or_else(invalid)?;
    if !outer.is_empty() {
        return Err(invalid());
    }
    let mut top = Input::new(top);
    let permitted = top
        .read_optional(tag::context_constructed(0))
        .ok_or_else(invalid)?;
    let excluded = top
        .read_optional(tag::context_constructed(1))
        .ok_or_else(invalid)?;
    if !top.is_empty() {
        return Err(invalid());
    }
    if permitted.is_none() && excluded.is_none() {
        return fail("x509: empty name constraints extension");
    }
    if permitted.is_some_and(<[u8]>::is_empty) || excluded.is_some_and(<[u8]>::is_empty) {
        return fail("x509: empty name constraints subtree sequence");
    }
    let mut unhandled = false;
    for subtrees in [permitted, excluded].into_iter().flatten() {
        let mut subtrees = Input::new(subtrees);
        while !subtrees.is_empty() {
            let (tag, value) = subtrees
                .read(tag::SEQUENCE)
                .and_then(|seq| Input::new(seq).read_any())
                .ok_or_else(invalid)?;
            let text = String::from_utf8_lossy(value);
            let quoted = crate::golang::quote::go_quote(&text);
            match tag {
                0x82 | 0x81 | 0x86 if !is_ia5(value) => {
                    return Err(ParseError::Text(format!(
                        "x509: invalid constraint value: x509: {quoted} cannot be encoded as an IA5String"
                    )))
                }
                0x82 => {
                    if !domain_name_valid(value, true) {
                        return Err(ParseError::Text(format!(
                            "x509: failed to parse dnsName constraint {quoted}"
                        )));
                    }
                }
                0x87 => {
                    let (ip, mask) = match value.len() {
                        8 => value.split_at(4),
                        32 => value.split_at(16),
                        n => {
                            return Err(ParseError::Text(format!(
                                "x509: IP constraint contained value of length {n}"
                            )))
                        }
                    };
                    if !valid_ip_mask(mask) {
                        return Err(ParseError::Text(format!(
                            "x509: IP constraint contained invalid mask {}",
                            hex::encode(mask)
                        )));
                    }
                    if ip.len() == 16
                        && ip.get(..12) == Some(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff][..])
                    {
                        return fail("x509: IP constraint contained IPv4-mapped IPv6 address");
                    }
                }
                0x81 => {
                    if !value.contains(&b'@') && !domain_name_valid(value, true) {
                        return Err(ParseError::Text(format!(
                            "x509: failed to parse rfc822Name constraint {quoted}"
                        )));
                    }
                }
                0x86 => {
                    if text.parse::<std::net::IpAddr>().is_ok() {
                        return Err(ParseError::Text(format!(
                            "x509: failed to parse URI constraint {quoted}: cannot be IP address"
                        )));
                    }
                    if !domain_name_valid(value, true) {
                        return Err(ParseError::Text(format!(
                            "x509: failed to parse URI constraint {quoted}"
                        )));
                    }
                }
                _ => unhandled = true,
            }
        }
    }
    Ok(unhandled)
}

/// `isValidIPMask`: ones, then zeros.
fn valid_ip_mask(mask: &[u8]) -> bool {
    let mut seen_zero = false;
    for b in mask {
        if seen_zero {
            if *b != 0 {
                return false;
            }
            continue;
        }
        match b {
            0x00 | 0x80 | 0xc0 | 0xe0 | 0xf0 | 0xf8 | 0xfc | 0xfe => seen_zero = true,
            0xff => {}
            _ => return false,
        }
    }
    true
}

/// `domainNameValid` (Go 1.26, with its relaxed checks): no trailing dot, printable ASCII,
/// no empty label; an empty name is valid, and a constraint may start with a dot.
fn domain_name_valid(s: &[u8], constraint: bool) -> bool {
    if s.is_empty() {
        return true;
    }
    if s.last() == Some(&b'.') {
        return false;
    }
    let s = match s {
        [b'.', rest @ ..] if constraint => rest,
        _ => s,
    };
    s.iter().all(|c| (33..=126).contains(c)) && s.split(|c| *c == b'.').all(|l| !l.is_empty())
}

impl Input<'_> {
    /// `ReadASN1` on a copy, leaving `self` as it is.
    fn clone_read(&self, tag: u8) -> Option<&[u8]> {
        let mut copy = *self;
        copy.read(tag)
    }
}
