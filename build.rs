//! Link-time settings of the binary only (no dependency is rebuilt for them).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    // The ~18k relative relocations of a position-independent binary, packed (DT_RELR) instead
    // of 24-byte RELA entries: the dynamic loader reads a few KiB instead of ~420 KiB at every
    // start, which is most of `--version`'s page faults (docs/benchmarks.md, sixth round).
    // glibc 2.36+ loads such binaries and older ones refuse them by the GLIBC_ABI_DT_RELR
    // version the linker adds (never a crash); a linker without the option warns and ignores it.
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
