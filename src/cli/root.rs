//! Which Sigstore trusted root keyless sources without `trustedRootSecretRef` use, for `verify`
//! and `scan`: `--trusted-root FILE`, else the public-good root — refreshed through TUF when
//! `--refresh-root` asks for it, else a refresh cached by an earlier run when it is newer than
//! the snapshot shipped with fluxverify, else that snapshot. Nothing is fetched unasked.

use anyhow::Context as _;
use clap::Args;
use fluxverify::cosign::keyless::root::{self, PUBLIC_GOOD_SOURCE};
use fluxverify::cosign::keyless::tuf::{self, CachedRoot};
use fluxverify::flux::cosign::DefaultRoot;
use fluxverify::trust::secret::read_input;
use std::path::PathBuf;
use std::sync::Arc;

/// The trust-root flags.
#[derive(Debug, Args, Clone, Default)]
pub struct RootArgs {
    /// Keyless cosign: the Sigstore trusted_root.json to verify with instead of the public-good
    /// root (a manifest's trustedRootSecretRef still comes first).
    #[arg(
        long = "trusted-root",
        value_name = "FILE",
        conflicts_with = "refresh_root"
    )]
    pub trusted_root: Option<PathBuf>,
    /// Keyless cosign: update the public-good trusted root through Sigstore's TUF repository
    /// before verifying (the only network fetch besides the registry), caching it under
    /// $XDG_CACHE_HOME/fluxverify (else ~/.cache/fluxverify) for later runs.
    #[arg(long)]
    pub refresh_root: bool,
    /// With --refresh-root: the TUF root.json the chain of roots starts from when the cache
    /// holds none, instead of the one shipped with fluxverify (Sigstore's v10).
    // No `requires`: a FLUXVERIFY_TUF_ROOT set in the environment must not break runs without
    // --refresh-root.
    #[arg(long, value_name = "FILE", env = "FLUXVERIFY_TUF_ROOT")]
    pub tuf_root: Option<PathBuf>,
    /// The TUF mirror --refresh-root reads (a test repository).
    #[arg(long, value_name = "URL", env = "FLUXVERIFY_TUF_URL", hide = true)]
    pub tuf_url: Option<String>,
}

/// The cached refresh, when there is a readable one newer than the shipped snapshot; a broken
/// cache is reported and left aside (the shipped snapshot is the fallback, never a pass).
pub fn usable_cache() -> Option<CachedRoot> {
    let dir = tuf::cache_dir()?;
    match tuf::cached(&dir) {
        Ok(Some(c)) if c.newer_than_shipped() => Some(c),
        Ok(_) => None,
        Err(e) => {
            eprintln!("warning: {e}; using the shipped public-good root");
            None
        }
    }
}

/// The public-good root without a refresh: the cached one or the shipped snapshot.
pub fn public_good() -> DefaultRoot {
    match usable_cache() {
        Some(c) => DefaultRoot {
            source: c.source(),
            root: Ok(Arc::new(c.root)),
        },
        None => DefaultRoot::public_good(),
    }
}

/// The public-good root in use: the cached refresh or the shipped snapshot (`fluxverify
/// version`).
pub fn public_good_description() -> String {
    match usable_cache() {
        Some(c) => c.source(),
        None => format!("the snapshot shipped with fluxverify ({PUBLIC_GOOD_SOURCE})"),
    }
}

/// Where the next `--refresh-root` starts its chain of TUF roots (`fluxverify version`): the
/// cached TUF root, else the shipped one (a `--tuf-root` given to that run comes before the
/// shipped one).
pub fn tuf_chain_start_description() -> String {
    match tuf::cache_dir() {
        Some(dir) => tuf::chain_start(&dir, None).0.to_string(),
        None => tuf::ChainStart::Shipped.to_string(),
    }
}

/// The root for keyless sources without `trustedRootSecretRef`; `offline` refuses a refresh.
pub fn default_root(args: &RootArgs, offline: bool) -> anyhow::Result<DefaultRoot> {
    if let Some(path) = &args.trusted_root {
        let bytes = read_input(path)?;
        let parsed =
            root::parse(&bytes).with_context(|| format!("--trusted-root {}", path.display()))?;
        return Ok(DefaultRoot {
            root: Ok(Arc::new(parsed)),
            source: format!("--trusted-root {}", path.display()),
        });
    }
    if args.refresh_root {
        if offline {
            anyhow::bail!("--refresh-root fetches Sigstore's TUF repository; --offline fetches nothing: give one of them");
        }
        let refreshed = refresh(args)?;
        return Ok(DefaultRoot {
            source: refreshed.source(),
            root: Ok(Arc::new(refreshed.root)),
        });
    }
    Ok(public_good())
}

fn refresh(args: &RootArgs) -> anyhow::Result<CachedRoot> {
    let mirror_text = args.tuf_url.as_deref().unwrap_or(tuf::PUBLIC_GOOD_MIRROR);
    // The base must end in `/` so that `targets/` joins under it.
    let mirror = url::Url::parse(&format!("{}/", mirror_text.trim_end_matches('/')))
        .with_context(|| format!("TUF mirror {mirror_text}"))?;
    let bootstrap = args.tuf_root.as_deref().map(read_input).transpose()?;
    let dir = tuf::cache_dir().ok_or(tuf::TufError::NoCacheDir)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("TUF cache {}", dir.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(runtime.block_on(tuf::refresh(&mirror, bootstrap.as_deref(), &dir))?)
}
