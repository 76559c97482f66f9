//! Trust material: Secret manifests, trust stores and the trust policy document.
