//! Stand-ins for trust-policy names this module uses before `trust::policy` provides them.
//! Same names and Display texts as the interface; replaced by re-exports when it lands.
use std::fmt;

/// The notation validation types, in the order notation-go runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValidationType {
    /// Envelope signature and structure.
    Integrity,
    /// Trust store and trusted identities.
    Authenticity,
    /// Certificate validity at (authentic) signing time.
    AuthenticTimestamp,
    /// The envelope's own expiry.
    Expiry,
    /// OCSP / CRL status of the chain.
    Revocation,
}

impl fmt::Display for ValidationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Integrity => "integrity",
            Self::Authenticity => "authenticity",
            Self::AuthenticTimestamp => "authenticTimestamp",
            Self::Expiry => "expiry",
            Self::Revocation => "revocation",
        })
    }
}

/// What a failed validation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// A failure fails the signature.
    Enforce,
    /// A failure is recorded and verification goes on.
    Log,
    /// The validation does not run.
    Skip,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Enforce => "enforce",
            Self::Log => "log",
            Self::Skip => "skip",
        })
    }
}
