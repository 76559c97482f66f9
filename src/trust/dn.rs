//! Distinguished names in trusted identities, parsed as notation-go does: go-ldap v3.4.10's
//! `ParseDN` (RFC 4514 with its quirks), then notation's own rules (no `=#`, no multi-valued
//! RDNs, no repeated types, `S` means `ST`, `C`, `ST` and `O` mandatory).
//!
//! Attribute types are not case-folded, values are compared exactly after unescaping: that is
//! what notation does, so `c=US` is not `C=US`.

use crate::golang::quote::{go_quote, go_quote_rune};
use std::collections::BTreeMap;

/// A parsed DN as notation keeps it: attribute type to value.
pub type DnMap = BTreeMap<String, String>;

/// go-ldap's parse errors (their texts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdapError {
    /// A separator before any `type=`.
    #[error("incomplete type, value pair")]
    Incomplete,
    /// The string ended before `type=`.
    #[error("DN ended with incomplete type, value pair")]
    EndedIncomplete,
    /// A trailing backslash.
    #[error("got corrupted escaped character: '{0}'")]
    CorruptedEscape(String),
    /// A bad `\XX` escape.
    #[error("failed to decode escaped character: {0}")]
    BadEscape(String),
    /// A `#hex` value that is not valid BER.
    #[error("failed to decode BER encoding: {0}")]
    Ber(String),
}

/// notation's DN errors; `Display` is notation-go's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnError {
    /// The string contains `=#`.
    #[error("unsupported distinguished name (DN) {}: notation does not support x509.subject identities containing \"=#\"", go_quote(.0))]
    HexValue(String),
    /// go-ldap rejected it.
    #[error("parsing distinguished name (DN) {} failed with err: {}. A valid DN must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard", go_quote(.0), .1)]
    Parse(String, LdapError),
    /// A `+` joined RDN.
    #[error("distinguished name (DN) {} has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported", go_quote(.0))]
    MultiValued(String),
    /// A type given twice.
    #[error("distinguished name (DN) {} has duplicate RDN attribute for {}, DN can only have unique RDN attributes", go_quote(.0), go_quote(.1))]
    Duplicate(String, String),
    /// `C`, `ST` or `O` missing or empty.
    #[error("distinguished name (DN) {} has no mandatory RDN attribute for {}, it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum", go_quote(.0), go_quote(.1))]
    Mandatory(String, &'static str),
}

/// One `type=value` of a parsed DN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdapAttribute {
    /// Attribute type as written (trimmed, unescaped).
    pub kind: String,
    /// Attribute value (trimmed, unescaped).
    pub value: String,
}

/// go-ldap `ParseDN`: RDNs, each a list of attributes.
pub fn ldap_parse_dn(s: &str) -> Result<Vec<Vec<LdapAttribute>>, LdapError> {
    let mut rdns = Vec::new();
    if s.trim().is_empty() {
        return Ok(rdns);
    }
    let bytes = s.as_bytes();
    let mut rdn: Vec<LdapAttribute> = Vec::new();
    let mut kind = String::new();
    let mut escaping = false;
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        if escaping {
            escaping = false;
            continue;
        }
        match c {
            b'\\' => escaping = true,
            b'=' if kind.is_empty() => {
                kind = decode_string(s.get(start..i).unwrap_or_default())?;
                start = i + 1;
            }
            b',' | b'+' | b';' => {
                if kind.is_empty() {
                    return Err(LdapError::Incomplete);
                }
                let value = decode_value(s.get(start..i).unwrap_or_default())?;
                rdn.push(LdapAttribute {
                    kind: std::mem::take(&mut kind),
                    value,
                });
                start = i + 1;
                if c != b'+' {
                    rdns.push(std::mem::take(&mut rdn));
                }
            }
            _ => {}
        }
    }
    if kind.is_empty() {
        return Err(LdapError::EndedIncomplete);
    }
    let value = decode_value(s.get(start..).unwrap_or_default())?;
    rdn.push(LdapAttribute { kind, value });
    rdns.push(rdn);
    Ok(rdns)
}

fn decode_value(s: &str) -> Result<String, LdapError> {
    match s.strip_prefix('#') {
        Some(hex_ber) => decode_ber_string(hex_ber),
        None => decode_string(s),
    }
}

/// `#<hex>` values: one BER TLV whose content is taken as the string. Unreachable through
/// notation (which rejects `=#` first) but kept so the parser is whole.
fn decode_ber_string(hex_ber: &str) -> Result<String, LdapError> {
    let bytes = hex::decode(hex_ber).map_err(|e| LdapError::Ber(e.to_string()))?;
    let mut reader = crate::pki::name::Tlv::reader(&bytes);
    let tlv = reader
        .read()
        .ok_or_else(|| LdapError::Ber("invalid BER TLV".into()))?;
    Ok(String::from_utf8_lossy(tlv.value).into_owned())
}

/// go-ldap v3.4.10 `stripLeadingAndTrailingSpaces`: trims spaces, keeping one trailing space
/// when the last kept character is a backslash.
fn strip_spaces(s: &str) -> String {
    let trimmed = s.trim_matches(' ');
    let mut out = trimmed.to_string();
    if trimmed.ends_with('\\') && s.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// go-ldap `decodeString`: trim, then decode `\c` and `\XX` escapes (bytes, so multi-byte
/// UTF-8 can be written as several `\XX`).
fn decode_string(s: &str) -> Result<String, LdapError> {
    let stripped = strip_spaces(s);
    let chars: Vec<char> = stripped.chars().collect();
    let mut out: Vec<u8> = Vec::with_capacity(stripped.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            i += 1;
            continue;
        }
        let Some(&next) = chars.get(i + 1) else {
            return Err(LdapError::CorruptedEscape(stripped.clone()));
        };
        if matches!(
            next,
            ' ' | '"' | '#' | '+' | ',' | ';' | '<' | '=' | '>' | '\\'
        ) {
            out.push(next as u8);
            i += 2;
            continue;
        }
        let Some(&second) = chars.get(i + 2) else {
            return Err(LdapError::BadEscape(format!(
                "encoding/hex: invalid byte: {next}"
            )));
        };
        let pair: String = [next, second].iter().collect();
        if pair.len() != 2 {
            return Err(LdapError::BadEscape(format!("invalid byte: {pair}")));
        }
        let byte = u8::from_str_radix(&pair, 16).map_err(|_| {
            let bad = if next.is_ascii_hexdigit() {
                second
            } else {
                next
            };
            LdapError::BadEscape(format!(
                "encoding/hex: invalid byte: U+{:04X} {}",
                bad as u32,
                go_quote_rune(bad)
            ))
        })?;
        out.push(byte);
        i += 3;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// notation-go `ParseDistinguishedName`.
pub fn parse_distinguished_name(name: &str) -> Result<DnMap, DnError> {
    if name.contains("=#") {
        return Err(DnError::HexValue(name.to_string()));
    }
    let rdns = ldap_parse_dn(name).map_err(|e| DnError::Parse(name.to_string(), e))?;
    let mut map = DnMap::new();
    for rdn in rdns {
        if rdn.len() > 1 {
            return Err(DnError::MultiValued(name.to_string()));
        }
        for attr in rdn {
            let kind = if attr.kind == "S" {
                "ST".to_string()
            } else {
                attr.kind
            };
            // Go checks `map[kind] == ""`, so an earlier empty value may be overwritten.
            match map.get(&kind) {
                Some(existing) if !existing.is_empty() => {
                    return Err(DnError::Duplicate(name.to_string(), kind));
                }
                _ => {
                    map.insert(kind, attr.value);
                }
            }
        }
    }
    for field in ["C", "ST", "O"] {
        if map.get(field).is_none_or(|v| v.is_empty()) {
            return Err(DnError::Mandatory(name.to_string(), field));
        }
    }
    Ok(map)
}

/// notation-go `IsSubsetDN`: every attribute of `subset` has the same value in `of`.
pub fn is_subset(subset: &DnMap, of: &DnMap) -> bool {
    subset.iter().all(|(k, v)| of.get(k) == Some(v))
}

/// Go's `%q` of a `[]map[string]string`: `[map["C":"US" "O":"x"] map[...]]`, keys sorted.
pub fn go_quote_maps(maps: &[DnMap]) -> String {
    let rendered: Vec<String> = maps
        .iter()
        .map(|m| {
            let pairs: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v)))
                .collect();
            format!("map[{}]", pairs.join(" "))
        })
        .collect();
    format!("[{}]", rendered.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldap_rules() {
        let rdns = ldap_parse_dn(" CN = a\\,b , O=x+OU=y;C=US ").unwrap();
        assert_eq!(rdns.len(), 3);
        assert_eq!(rdns[0][0].kind, "CN");
        assert_eq!(rdns[0][0].value, "a,b");
        assert_eq!(rdns[1].len(), 2);
        assert_eq!(rdns[2][0].value, "US");
        assert_eq!(ldap_parse_dn("CN=\\41\\c3\\a9").unwrap()[0][0].value, "Aé");
        assert_eq!(ldap_parse_dn("CN=a\\ ").unwrap()[0][0].value, "a ");
        assert_eq!(ldap_parse_dn("x").unwrap_err(), LdapError::EndedIncomplete);
        assert_eq!(ldap_parse_dn("x,C=US").unwrap_err(), LdapError::Incomplete);
        assert_eq!(
            ldap_parse_dn("CN=a\\").unwrap_err().to_string(),
            "got corrupted escaped character: 'a\\'"
        );
        assert!(ldap_parse_dn("CN=\\zz").is_err());
    }

    #[test]
    fn notation_rules() {
        let m = parse_distinguished_name("C=US, S=WA, O=Notary, CN=x").unwrap();
        assert_eq!(m.get("ST").map(String::as_str), Some("WA"));
        let e = |s: &str| parse_distinguished_name(s).unwrap_err().to_string();
        assert_eq!(
            e(" CN=e2e,L=Seattle,ST=WA,C=US"),
            "distinguished name (DN) \" CN=e2e,L=Seattle,ST=WA,C=US\" has no mandatory RDN attribute for \"O\", it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum"
        );
        assert!(e("C=US,ST=WA,O=a+OU=b").contains("multi-valued RDN"));
        assert!(e("C=US,ST=WA,O=a,O=b").contains("duplicate RDN attribute for \"O\""));
        assert!(e("C=bad=#identity,O=LOL,ST=LOL").starts_with("unsupported distinguished name"));
        assert!(e("c=US,ST=WA,O=x").contains("for \"C\""));
        assert!(e("CN").starts_with("parsing distinguished name (DN) \"CN\" failed with err: DN ended with incomplete type, value pair."));
        // An earlier empty value can be overwritten (Go checks for "").
        assert!(parse_distinguished_name("O=,C=US,ST=WA,O=x").is_ok());
    }

    #[test]
    fn quoting_maps() {
        let m: DnMap = [("ST", "TG"), ("C", "IN")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(go_quote_maps(&[m]), "[map[\"C\":\"IN\" \"ST\":\"TG\"]]");
    }
}
