//! Trust material: Secret manifests, trust stores and the trust policy document.

pub mod dn;
pub mod identity;
pub mod material;
pub mod pem;
pub mod policy;
pub mod secret;
pub mod store;
