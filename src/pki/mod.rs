//! X.509 certificates as notation sees them: parsing, Go-style name rendering, chain rules,
//! signature algorithms, RFC 3161 timestamps and revocation.

pub mod algorithm;
pub mod ber;
pub mod cert;
pub mod chain;
pub mod key;
pub mod name;
pub mod revocation;
pub mod timestamp;
mod x509;
