//! Secret manifests (YAML streams or JSON) and the trust material read from them.
#![no_main]

use fluxverify::trust::secret::{parse_documents, secrets_in};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.yaml");
    if let Ok(documents) = parse_documents(path, data) {
        if let Ok(secrets) = secrets_in(path, &documents) {
            for secret in secrets {
                let _ = secret.trust_policy();
                let _ = secret.certificate_entries();
            }
        }
    }
});
