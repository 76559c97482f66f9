//! Go's `(*x509.Certificate).Verify` as tspclient-go calls it for the TSA certificate: path
//! building from the token's certificates to a trusted root, validity at genTime, CA
//! constraints, path length, and the `timeStamping` extended key usage along the chain.
//!
//! Not modelled: name constraints and certificate policies (TSA chains do not use them in
//! practice; Go would refuse a violating chain where this accepts it).

use crate::golang::big::decimal;
use crate::pki::cert::Certificate;
use crate::pki::chain::check_signature_from;
use chrono::{DateTime, SecondsFormat, Utc};
use const_oid::ObjectIdentifier;
use der::Decode;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, ExtendedKeyUsage, SubjectKeyIdentifier};

const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const ID_CE_SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const ID_CE_SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const ID_CE_AUTHORITY_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");

/// Go's limit on signature checks while building chains.
const MAX_SIGNATURE_CHECKS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CertType {
    Leaf,
    Intermediate,
    Root,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn has_unhandled_critical_extension(cert: &Certificate) -> bool {
    cert.has_unhandled_critical_extension()
}

/// Go's `Certificate.isValid` for the parts modelled here.
fn is_valid(
    cert: &Certificate,
    cert_type: CertType,
    current_chain: &[&Certificate],
    now: DateTime<Utc>,
) -> Result<(), String> {
    if has_unhandled_critical_extension(cert) {
        return Err("x509: unhandled critical extension".to_string());
    }
    if now < cert.not_before() {
        return Err(format!(
            "x509: certificate has expired or is not yet valid: current time {} is before {}",
            rfc3339(now),
            rfc3339(cert.not_before())
        ));
    }
    if now > cert.not_after() {
        return Err(format!(
            "x509: certificate has expired or is not yet valid: current time {} is after {}",
            rfc3339(now),
            rfc3339(cert.not_after())
        ));
    }
    let basic = cert.basic_constraints();
    if cert_type == CertType::Intermediate && !basic.as_ref().is_some_and(|b| b.ca) {
        return Err("x509: certificate is not authorized to sign other certificates".to_string());
    }
    if let Some(max) = basic.and_then(|b| b.path_len_constraint) {
        let intermediates = current_chain.len().saturating_sub(1);
        if u64::try_from(intermediates).unwrap_or(u64::MAX) > max {
            return Err("x509: too many intermediates for path length constraint".to_string());
        }
    }
    Ok(())
}

fn subject_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    cert.extension(&ID_CE_SUBJECT_KEY_IDENTIFIER)
        .and_then(|e| SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).ok())
        .map(|s| s.0.as_bytes().to_vec())
}

fn authority_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    cert.extension(&ID_CE_AUTHORITY_KEY_IDENTIFIER)
        .and_then(|e| AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes()).ok())
        .and_then(|a| a.key_identifier)
        .map(|k| k.as_bytes().to_vec())
}

/// Go's `CertPool.findPotentialParents`: same name as the child's issuer, ordered by how well
/// the key identifiers match.
fn potential_parents<'p>(child: &Certificate, pool: &'p [Certificate]) -> Vec<&'p Certificate> {
    let akid = authority_key_id(child);
    let (mut matching, mut one, mut mismatch) = (Vec::new(), Vec::new(), Vec::new());
    for candidate in pool
        .iter()
        .filter(|c| c.raw_subject() == child.raw_issuer())
    {
        match (&akid, subject_key_id(candidate)) {
            (Some(a), Some(s)) if *a == s => matching.push(candidate),
            (Some(_), Some(_)) => mismatch.push(candidate),
            _ => one.push(candidate),
        }
    }
    matching.extend(one);
    matching.extend(mismatch);
    matching
}

fn san(cert: &Certificate) -> Option<&[u8]> {
    cert.extension(&ID_CE_SUBJECT_ALT_NAME)
        .map(|e| e.extn_value.as_bytes())
}

/// Go's `alreadyInChain`: same subject, key and SAN extension as a certificate in the chain.
fn already_in_chain(candidate: &Certificate, chain: &[&Certificate]) -> bool {
    chain.iter().any(|c| {
        c.raw_subject() == candidate.raw_subject()
            && c.raw_public_key() == candidate.raw_public_key()
            && san(c) == san(candidate)
    })
}

/// Something that went wrong with a candidate parent, kept for Go's hint.
struct Hint {
    error: String,
    cert: Certificate,
}

struct Builder<'a> {
    roots: &'a [Certificate],
    intermediates: &'a [Certificate],
    now: DateTime<Utc>,
    signature_checks: usize,
}

impl Builder<'_> {
    fn build(&mut self, chain: Vec<&Certificate>) -> Result<Vec<Vec<Certificate>>, String> {
        let Some(&current) = chain.last() else {
            return Ok(Vec::new());
        };
        let mut chains = Vec::new();
        let mut hint: Option<Hint> = None;
        let mut error: Option<String> = None;
        let candidates: Vec<(CertType, &Certificate)> = potential_parents(current, self.roots)
            .into_iter()
            .map(|c| (CertType::Root, c))
            .chain(
                potential_parents(current, self.intermediates)
                    .into_iter()
                    .map(|c| (CertType::Intermediate, c)),
            )
            .collect();
        for (cert_type, candidate) in candidates {
            if already_in_chain(candidate, &chain) {
                continue;
            }
            self.signature_checks += 1;
            if self.signature_checks > MAX_SIGNATURE_CHECKS {
                error = Some(
                    "x509: signature check attempts limit reached while verifying certificate chain"
                        .to_string(),
                );
                continue;
            }
            if let Err(e) = check_signature_from(current, candidate) {
                hint.get_or_insert(Hint {
                    error: e.to_string(),
                    cert: candidate.clone(),
                });
                continue;
            }
            if let Err(e) = is_valid(candidate, cert_type, &chain, self.now) {
                hint.get_or_insert(Hint {
                    error: e,
                    cert: candidate.clone(),
                });
                continue;
            }
            let mut next = chain.clone();
            next.push(candidate);
            match cert_type {
                CertType::Root => chains.push(next.into_iter().cloned().collect()),
                CertType::Intermediate | CertType::Leaf => match self.build(next) {
                    Ok(found) => chains.extend(found),
                    Err(e) => error = Some(e),
                },
            }
        }
        if !chains.is_empty() {
            return Ok(chains);
        }
        if let Some(e) = error {
            return Err(e);
        }
        Err(unknown_authority(hint))
    }
}

/// Go's `UnknownAuthorityError` text.
fn unknown_authority(hint: Option<Hint>) -> String {
    let mut s = "x509: certificate signed by unknown authority".to_string();
    if let Some(Hint { error, cert }) = hint {
        let name = cert.subject_name();
        let attr = |oid: &str| {
            name.attributes()
                .filter(|a| a.oid.to_string() == oid)
                .map(|a| a.value.clone())
                .collect::<Vec<_>>()
        };
        let cert_name = attr("2.5.4.3")
            .last()
            .cloned()
            .or_else(|| attr("2.5.4.10").first().cloned())
            .unwrap_or_else(|| format!("serial:{}", decimal(cert.serial_number())));
        s.push_str(&format!(
            " (possibly because of {} while trying to verify candidate authority certificate {})",
            crate::pki::chain::go_quote(&error),
            crate::pki::chain::go_quote(&cert_name)
        ));
    }
    s
}

/// The extended key usages of a certificate, or `None` when it has no EKU extension.
fn ekus(cert: &Certificate) -> Option<Vec<ObjectIdentifier>> {
    cert.extension(&ID_CE_EXT_KEY_USAGE).map(|e| {
        ExtendedKeyUsage::from_der(e.extn_value.as_bytes())
            .map(|eku| eku.0)
            .unwrap_or_default()
    })
}

/// Go's `checkChainForKeyUsage` for the single requested usage `timeStamping`.
fn chain_allows_time_stamping(chain: &[Certificate]) -> bool {
    chain.iter().rev().all(|cert| match ekus(cert) {
        None => true,
        Some(list) if list.is_empty() => true,
        Some(list) => list
            .iter()
            .any(|u| *u == ANY_EXTENDED_KEY_USAGE || *u == ID_KP_TIME_STAMPING),
    })
}

/// `leaf.Verify(VerifyOptions{CurrentTime: now, Roots: roots, Intermediates: intermediates,
/// KeyUsages: [timeStamping]})`: the verified chains, leaf first, in Go's order.
pub(super) fn verify(
    leaf: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    now: DateTime<Utc>,
) -> Result<Vec<Vec<Certificate>>, String> {
    verify_for(leaf, intermediates, roots, now, KeyUsage::TimeStamping)
}

/// The extended key usage a chain must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyUsage {
    /// `x509.ExtKeyUsageTimeStamping` (tspclient-go).
    TimeStamping,
    /// `x509.ExtKeyUsageAny` (digitorus/pkcs7's default, as Sigstore's TSA verification uses it).
    Any,
}

/// `leaf.Verify` with `usage` as the only requested key usage.
pub(super) fn verify_for(
    leaf: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    now: DateTime<Utc>,
    usage: KeyUsage,
) -> Result<Vec<Vec<Certificate>>, String> {
    is_valid(leaf, CertType::Leaf, &[], now)?;
    let candidates = if roots.iter().any(|r| r.der() == leaf.der()) {
        vec![vec![leaf.clone()]]
    } else {
        Builder {
            roots,
            intermediates,
            now,
            signature_checks: 0,
        }
        .build(vec![leaf])?
    };
    let chains: Vec<_> = candidates
        .into_iter()
        .filter(|c| usage == KeyUsage::Any || chain_allows_time_stamping(c))
        .collect();
    if chains.is_empty() {
        return Err("x509: certificate specifies an incompatible key usage".to_string());
    }
    Ok(chains)
}
