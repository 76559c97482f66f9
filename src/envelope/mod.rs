//! Signature envelopes (JWS JSON and COSE_Sign1) and their signed payload.
