//! OCI image layout `index.json` (and, through it, manifests) as read from disk.
#![no_main]

use fluxverify::source::layout::OciLayout;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn layout_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("fluxverify-fuzz-layout-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("blobs/sha256")).expect("temp dir");
        std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)
            .expect("write");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = layout_dir();
    if std::fs::write(dir.join("index.json"), data).is_err() {
        return;
    }
    if let Ok(layout) = OciLayout::open(dir) {
        for entry in layout.entries().to_vec() {
            let _ = layout.signatures_of(&entry);
            let _ = layout.fetch_now(&entry);
        }
        let _ = layout.resolve_now("v1");
    }
});
