//! OCI digests: parsing untrusted `algorithm:hex` strings and hashing bytes as they stream in.

use super::error::RegistryError;
use sha2::Digest as _;

/// A validated digest: `sha256`, `sha384` or `sha512` with lower-case hex of the right length,
/// which is what go-digest accepts. Validated before a digest is put into a URL path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OciDigest {
    algorithm: &'static str,
    hex: String,
}

impl OciDigest {
    pub(crate) fn parse(s: &str) -> Result<OciDigest, RegistryError> {
        let invalid = || RegistryError::InvalidDigest(s.to_owned());
        let (alg, hex) = s.split_once(':').ok_or_else(invalid)?;
        let (algorithm, len) = match alg {
            "sha256" => ("sha256", 64),
            "sha384" => ("sha384", 96),
            "sha512" => ("sha512", 128),
            _ => return Err(invalid()),
        };
        if hex.len() != len || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(invalid());
        }
        Ok(OciDigest {
            algorithm,
            hex: hex.to_owned(),
        })
    }

    /// The referrers tag schema's tag for this digest: `<alg>-<hex>`.
    pub(crate) fn referrers_tag(&self) -> String {
        format!("{}-{}", self.algorithm, self.hex)
    }

    pub(crate) fn hasher(&self) -> Hasher {
        match self.algorithm {
            "sha384" => Hasher::Sha384(sha2::Sha384::new()),
            "sha512" => Hasher::Sha512(sha2::Sha512::new()),
            _ => Hasher::Sha256(sha2::Sha256::new()),
        }
    }

    pub(crate) fn matches(&self, hasher: Hasher) -> bool {
        hex::encode(hasher.finish()) == self.hex
    }
}

impl std::fmt::Display for OciDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

/// Incremental hash of one of the supported algorithms.
pub(crate) enum Hasher {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// The `sha256:` digest of `bytes`.
pub(crate) fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_well_formed_digests() {
        let d = OciDigest::parse(&sha256_digest(b"x")).unwrap();
        assert!(d.referrers_tag().starts_with("sha256-"));
        for bad in [
            "sha256:abc",
            "md5:0123",
            "sha256:../../etc/passwd",
            "SHA256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
            "sha256:2D711642B726B04401627CA9FBAC32F5C8530FB1903CC4DB02258717921A4881",
            "",
        ] {
            assert!(OciDigest::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hashes_match() {
        let d = OciDigest::parse(&sha256_digest(b"hello")).unwrap();
        let mut h = d.hasher();
        h.update(b"hel");
        h.update(b"lo");
        assert!(d.matches(h));
        let mut h = d.hasher();
        h.update(b"hellO");
        assert!(!d.matches(h));
    }
}
