//! Go standard library behaviour that Flux, notation and oras-go expose to users: what
//! `encoding/json` and `encoding/base64` accept and how their errors read, and how `%q` quotes.
//! One implementation for every stage, so that the same input reads the same everywhere.

pub(crate) mod asn1;
pub(crate) mod base64;
pub(crate) mod big;
pub(crate) mod cbor;
pub(crate) mod cryptobyte;
pub(crate) mod json;
pub(crate) mod pathmatch;
pub(crate) mod quote;
pub(crate) mod time;
