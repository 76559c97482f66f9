//! Trust material: Secret manifests, trust stores and the trust policy document.

pub mod dn;
pub mod identity;
pub mod pem;
pub mod policy;
pub mod store;
