//! The one HTTP stack of the process (reqwest on rustls), shared by the registry client and the
//! revocation checks: the TLS configuration ([`tls`]) and the words Go's `net/http` would use
//! for a request that failed ([`errors`]), since Flux and notation print those words.

pub mod errors;
pub mod tls;
