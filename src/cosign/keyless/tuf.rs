//! The TUF update of the public-good trusted root (`--refresh-root`): Sigstore distributes
//! `trusted_root.json` as a target of its TUF repository, the way sigstore-go's
//! `root.FetchTrustedRoot` and cosign fetch it. The TUF client is awslabs' `tough` (the chain of
//! root versions from the bootstrap root, threshold signatures, expiry, rollback, target
//! lengths and hashes); this module picks the roots, the mirror and the cache.
//!
//! The chain starts from the cached TUF root, else the one `--tuf-root` gives, else the TUF
//! root shipped with fluxverify ([`SHIPPED_TUF_ROOT`]: Sigstore's v10, whose own signatures meet
//! its threshold, as tough requires of the root it starts from; an expired one is fine, the
//! chain moves past it to the repository's current root).
//!
//! The cache, under the user's cache directory (`$XDG_CACHE_HOME/fluxverify/sigstore`, else
//! `~/.cache/fluxverify/sigstore`): `root.json` (the newest TUF root verified, where the next
//! update's chain starts), `tuf/` (tough's datastore: the last timestamp, snapshot and targets,
//! against rollback), `trusted_root.json` and `refresh.json` (when and from where). Nothing here
//! touches the network unless [`refresh`] is called.

use super::root::{self, RootError, TrustedRoot};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Sigstore's public-good TUF mirror.
pub const PUBLIC_GOOD_MIRROR: &str = "https://tuf-repo-cdn.sigstore.dev";
/// The target holding the trusted root.
pub const TRUSTED_ROOT_TARGET: &str = "trusted_root.json";
/// The day the shipped public-good snapshot was taken (see [`root::PUBLIC_GOOD_SOURCE`]): a
/// cached refresh is used only when it is newer.
pub const SHIPPED_SNAPSHOT_DATE: &str = "2026-08-21T00:00:00Z";

/// The TUF root shipped with fluxverify: where a refresh's chain of roots starts when the cache
/// holds none and no `--tuf-root` is given (`data/sigstore/README.md` records its source).
pub const SHIPPED_TUF_ROOT: &[u8] =
    include_bytes!("../../../data/sigstore/public-good-tuf-root.json");
/// Where [`SHIPPED_TUF_ROOT`] comes from.
pub const SHIPPED_TUF_ROOT_SOURCE: &str = "Sigstore's public-good TUF root v10, sigstore/root-signing metadata/root_history/10.root.json @ 7038bd286009aa0355a116b6e4f478dbfcfc93ee";

/// Where a refresh's chain of TUF roots starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainStart {
    /// The newest TUF root an earlier refresh verified (`root.json` in the cache).
    Cached(PathBuf),
    /// The one `--tuf-root` gives.
    Given,
    /// [`SHIPPED_TUF_ROOT`].
    Shipped,
}

impl std::fmt::Display for ChainStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Cached(path) => write!(f, "the cached TUF root {}", path.display()),
            Self::Given => f.write_str("the TUF root given with --tuf-root"),
            Self::Shipped => write!(
                f,
                "the TUF root shipped with fluxverify ({SHIPPED_TUF_ROOT_SOURCE})"
            ),
        }
    }
}

/// Where the next refresh in `dir` would start, and the root's bytes.
pub fn chain_start(dir: &Path, given: Option<&[u8]>) -> (ChainStart, Vec<u8>) {
    let cached_root = dir.join("root.json");
    match crate::limits::read_file(&cached_root) {
        Ok(bytes) => (ChainStart::Cached(cached_root), bytes),
        Err(_) => match given {
            Some(bytes) => (ChainStart::Given, bytes.to_vec()),
            None => (ChainStart::Shipped, SHIPPED_TUF_ROOT.to_vec()),
        },
    }
}

/// Why a refresh or the cache failed.
#[derive(Debug, thiserror::Error)]
pub enum TufError {
    /// The user's cache directory is unknown.
    #[error("no cache directory: set XDG_CACHE_HOME or HOME")]
    NoCacheDir,
    /// The update was refused by the TUF client.
    #[error(
        "TUF update from {mirror} refused (the chain of roots started from {start}): {detail}"
    )]
    Refused {
        /// The mirror.
        mirror: String,
        /// Where the chain of roots started.
        start: ChainStart,
        /// tough's reason (a signature, an expired role, a hash or length mismatch...).
        detail: String,
    },
    /// The repository lists no `trusted_root.json`.
    #[error("TUF repository {mirror} lists no target {TRUSTED_ROOT_TARGET}")]
    NoTarget {
        /// The mirror.
        mirror: String,
    },
    /// The target verified but is no trusted root.
    #[error("the {TRUSTED_ROOT_TARGET} of {mirror} does not load: {source}")]
    Root {
        /// The mirror.
        mirror: String,
        /// Why.
        source: RootError,
    },
    /// A cache file could not be read or written.
    #[error("TUF cache {path}: {detail}")]
    Cache {
        /// The file.
        path: String,
        /// Why.
        detail: String,
    },
}

/// `refresh.json`: when and where the cached root comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRecord {
    /// When the update ran (RFC 3339).
    pub refreshed: String,
    /// The mirror.
    pub mirror: String,
    /// The TUF root version the chain ended at.
    pub root_version: u64,
    /// The timestamp role's version.
    pub timestamp_version: u64,
}

/// A refreshed root read back from the cache.
#[derive(Debug, Clone)]
pub struct CachedRoot {
    /// The trusted root.
    pub root: TrustedRoot,
    /// Its record.
    pub record: RefreshRecord,
    /// The cache directory.
    pub dir: PathBuf,
}

impl CachedRoot {
    /// Where it comes from, for reports and `fluxverify version`.
    pub fn source(&self) -> String {
        format!(
            "the public-good root refreshed through TUF from {} on {} (TUF root v{}, timestamp v{}; cache {})",
            self.record.mirror,
            self.record.refreshed,
            self.record.root_version,
            self.record.timestamp_version,
            self.dir.display()
        )
    }

    /// Whether it is newer than the snapshot shipped with fluxverify.
    pub fn newer_than_shipped(&self) -> bool {
        let refreshed = DateTime::parse_from_rfc3339(&self.record.refreshed).ok();
        let shipped = DateTime::parse_from_rfc3339(SHIPPED_SNAPSHOT_DATE).ok();
        matches!((refreshed, shipped), (Some(r), Some(s)) if r > s)
    }
}

/// The user's cache directory for the public-good root: `$XDG_CACHE_HOME/fluxverify/sigstore`,
/// else `$HOME/.cache/fluxverify/sigstore`.
pub fn cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })?;
    Some(base.join("fluxverify").join("sigstore"))
}

fn cache_error(path: &Path, detail: impl std::fmt::Display) -> TufError {
    TufError::Cache {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
}

/// The cached refresh in `dir`, `None` when there is none.
pub fn cached(dir: &Path) -> Result<Option<CachedRoot>, TufError> {
    let record_path = dir.join("refresh.json");
    let root_path = dir.join(TRUSTED_ROOT_TARGET);
    if !record_path.exists() {
        return Ok(None);
    }
    let record: RefreshRecord = crate::limits::read_file(&record_path)
        .map_err(|e| cache_error(&record_path, e))
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| cache_error(&record_path, e)))?;
    let bytes = crate::limits::read_file(&root_path).map_err(|e| cache_error(&root_path, e))?;
    let root = root::parse(&bytes).map_err(|e| cache_error(&root_path, e))?;
    Ok(Some(CachedRoot {
        root,
        record,
        dir: dir.to_path_buf(),
    }))
}

/// Runs the TUF update from `mirror` (metadata at its root, targets under `targets/`), the chain
/// starting where [`chain_start`] says (the cached TUF root, else `bootstrap`, else the shipped
/// one); on success the cache holds the new TUF root, the trusted root and the record. Nothing
/// is written when any check fails.
pub async fn refresh(
    mirror: &url::Url,
    bootstrap: Option<&[u8]>,
    dir: &Path,
) -> Result<CachedRoot, TufError> {
    let (from, start) = chain_start(dir, bootstrap);
    let refused = |detail: String| TufError::Refused {
        mirror: mirror.to_string(),
        start: from.clone(),
        detail,
    };
    let datastore = dir.join("tuf");
    std::fs::create_dir_all(&datastore).map_err(|e| cache_error(&datastore, e))?;
    let metadata = mirror.clone();
    let targets = mirror
        .join("targets/")
        .map_err(|e| refused(format!("targets URL: {e}")))?;
    let repository = tough::RepositoryLoader::new(&start, metadata, targets)
        .datastore(&datastore)
        .load()
        .await
        .map_err(|e| refused(error_chain(&e)))?;
    let name = tough::TargetName::new(TRUSTED_ROOT_TARGET).map_err(|e| refused(e.to_string()))?;
    let stream = repository
        .read_target(&name)
        .await
        .map_err(|e| refused(error_chain(&e)))?
        .ok_or_else(|| TufError::NoTarget {
            mirror: mirror.to_string(),
        })?;
    use tough::IntoVec as _;
    let bytes = stream
        .into_vec()
        .await
        .map_err(|e| refused(error_chain(&e)))?;
    let parsed = root::parse(&bytes).map_err(|source| TufError::Root {
        mirror: mirror.to_string(),
        source,
    })?;
    let record = RefreshRecord {
        refreshed: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        mirror: mirror.to_string(),
        root_version: repository.root().signed.version.get(),
        timestamp_version: repository.timestamp().signed.version.get(),
    };
    let tuf_root =
        serde_json::to_vec_pretty(repository.root()).map_err(|e| refused(e.to_string()))?;
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| cache_error(&path, e))
    };
    write("root.json", &tuf_root)?;
    write(TRUSTED_ROOT_TARGET, &bytes)?;
    write(
        "refresh.json",
        &serde_json::to_vec_pretty(&record).map_err(|e| refused(e.to_string()))?,
    )?;
    Ok(CachedRoot {
        root: parsed,
        record,
        dir: dir.to_path_buf(),
    })
}

/// An error and its sources on one line (tough's errors nest the reason).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use tough::schema::{Root, Signed};

    /// tough's own check of the root a chain starts from (`load_root`: parse, then the root
    /// role's threshold over its own signatures), on `bytes`.
    fn tough_accepts(bytes: &[u8]) -> Result<Signed<Root>, String> {
        let root: Signed<Root> = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        root.signed.verify_role(&root).map_err(|e| e.to_string())?;
        Ok(root)
    }

    #[test]
    fn the_shipped_tuf_root_meets_its_own_threshold() {
        let root = tough_accepts(SHIPPED_TUF_ROOT).unwrap();
        assert_eq!(root.signed.version.get(), 10);
        let role = &root.signed.roles[&tough::schema::RoleType::Root];
        assert_eq!(role.threshold.get(), 3);
        // Exactly three of its root keys signed (the other signatures are empty or by v9's
        // key ids), so one signature fewer must fall short.
        let mut value: serde_json::Value = serde_json::from_slice(SHIPPED_TUF_ROOT).unwrap();
        let signatures = value["signatures"].as_array_mut().unwrap();
        let first_real = signatures.iter().position(|s| s["sig"] != "").unwrap();
        signatures.remove(first_real);
        let error = tough_accepts(&serde_json::to_vec(&value).unwrap()).unwrap_err();
        assert!(
            error.contains("Signature threshold of 3 not met for role root (2 valid signatures)"),
            "{error}"
        );
        // A changed byte of the signed part breaks every signature.
        let mut value: serde_json::Value = serde_json::from_slice(SHIPPED_TUF_ROOT).unwrap();
        value["signed"]["expires"] = "2099-01-01T00:00:00Z".into();
        let error = tough_accepts(&serde_json::to_vec(&value).unwrap()).unwrap_err();
        assert!(error.contains("(0 valid signatures)"), "{error}");
    }

    #[test]
    fn the_chain_starts_from_the_cache_then_the_given_root_then_the_shipped_one() {
        let dir = tempfile::tempdir().unwrap();
        let (start, bytes) = chain_start(dir.path(), None);
        assert_eq!(
            (start, bytes.as_slice()),
            (ChainStart::Shipped, SHIPPED_TUF_ROOT)
        );
        let (start, bytes) = chain_start(dir.path(), Some(b"given"));
        assert_eq!(
            (start, bytes.as_slice()),
            (ChainStart::Given, &b"given"[..])
        );
        let cached = dir.path().join("root.json");
        std::fs::write(&cached, b"cached").unwrap();
        let (start, bytes) = chain_start(dir.path(), Some(b"given"));
        assert_eq!(
            (start, bytes.as_slice()),
            (ChainStart::Cached(cached), &b"cached"[..])
        );
        assert!(ChainStart::Shipped
            .to_string()
            .contains("root_history/10.root.json @ 7038bd286009aa0355a116b6e4f478dbfcfc93ee"));
    }
}
