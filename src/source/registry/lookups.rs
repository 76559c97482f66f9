//! Host name lookups of one run's registry clients: a name is looked up once at a time however
//! many requests want it, and a lookup that failed is remembered for the rest of the run, so
//! that every later request to that host fails at once with the same error.
//!
//! Without this, every source on a host that does not resolve paid a full lookup (and the
//! resolver's retries and timeouts) of its own: 500 sources on one such host took 95 s. Go's
//! resolver, which Flux uses, has no such memory, but Flux reconciles one source at a time; a
//! scan asks the same question hundreds of times in one run, and the answer does not change
//! within it. Addresses that were found are not kept: the next connection looks the name up
//! again, as reqwest's own resolver does, so a name's records are never used beyond what the
//! system resolver decides.
//!
//! The lookup is the one reqwest makes by default (hyper-util's `GaiResolver`: `getaddrinfo`
//! on a blocking thread), so a failure's error is the same `io::Error` text, which
//! [`crate::http::errors`] turns into Go's `dial tcp: lookup <host>: no such host`.

use futures::future::{BoxFuture, FutureExt, Shared};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::HashMap;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Why a lookup failed, kept to rebuild the same `io::Error` for every later request.
#[derive(Debug, Clone)]
struct Failed {
    kind: std::io::ErrorKind,
    text: String,
}

type Lookup = Shared<BoxFuture<'static, Result<Vec<SocketAddr>, Failed>>>;

#[derive(Debug, Default)]
struct State {
    /// Lookups in flight, and those that failed (kept for the run).
    lookups: Mutex<HashMap<String, Lookup>>,
    /// Lookups actually made (`getaddrinfo` calls).
    made: AtomicUsize,
}

/// The lookups of one run, shared by every registry client made for it (cheap to clone).
#[derive(Debug, Clone, Default)]
pub struct HostLookups {
    state: Arc<State>,
}

impl HostLookups {
    /// Lookups made so far (requests answered from a remembered failure or a shared lookup in
    /// flight do not count).
    pub fn made(&self) -> usize {
        self.state.made.load(Ordering::Relaxed)
    }

    /// The addresses of `host`: a lookup in flight is joined, a failed one answers at once.
    fn lookup(&self, host: String) -> Lookup {
        let mut lookups = self.state.lookups.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(lookup) = lookups.get(&host) {
            if lookup.peek().is_some() {
                tracing::debug!(%host, "host did not resolve earlier in this run; not looked up again");
            }
            return lookup.clone();
        }
        let state = Arc::clone(&self.state);
        let name = host.clone();
        let lookup = async move {
            state.made.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(host = %name, "DNS lookup");
            let looked_up = {
                let name = name.clone();
                tokio::task::spawn_blocking(move || {
                    (name.as_str(), 0)
                        .to_socket_addrs()
                        .map(Iterator::collect::<Vec<_>>)
                })
                .await
            };
            let result = match looked_up {
                Ok(Ok(addresses)) => Ok(addresses),
                Ok(Err(e)) => Err(Failed {
                    kind: e.kind(),
                    text: e.to_string(),
                }),
                Err(join) => Err(Failed {
                    kind: std::io::ErrorKind::Interrupted,
                    text: join.to_string(),
                }),
            };
            match &result {
                // Found: forgotten, so that the next connection asks the system again.
                Ok(_) => {
                    state
                        .lookups
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(&name);
                }
                Err(failed) => tracing::info!(
                    host = %name,
                    error = %failed.text,
                    "host did not resolve; later requests to it in this run fail with the same error"
                ),
            }
            result
        }
        .boxed()
        .shared();
        lookups.insert(host, lookup.clone());
        lookup
    }
}

impl Resolve for HostLookups {
    fn resolve(&self, name: Name) -> Resolving {
        let lookup = self.lookup(name.as_str().to_owned());
        Box::pin(async move {
            match lookup.await {
                Ok(addresses) => Ok(Box::new(addresses.into_iter()) as Addrs),
                Err(failed) => Err(Box::new(std::io::Error::new(failed.kind, failed.text))
                    as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn resolve(lookups: &HostLookups, host: &str) -> Result<Vec<SocketAddr>, String> {
        lookups
            .resolve(host.parse().unwrap())
            .await
            .map(Iterator::collect)
            .map_err(|e| e.to_string())
    }

    #[tokio::test]
    async fn a_failed_lookup_is_made_once_and_its_error_repeated() {
        let lookups = HostLookups::default();
        // `.invalid` never resolves (RFC 6761).
        let first = resolve(&lookups, "registry.fluxverify.invalid")
            .await
            .unwrap_err();
        let again = futures::future::join_all(
            (0..20).map(|_| resolve(&lookups, "registry.fluxverify.invalid")),
        )
        .await;
        assert!(
            first.starts_with("failed to lookup address information: "),
            "{first}"
        );
        for a in again {
            assert_eq!(a.unwrap_err(), first);
        }
        assert_eq!(lookups.made(), 1);
        // Another host is another lookup.
        resolve(&lookups, "other.fluxverify.invalid")
            .await
            .unwrap_err();
        assert_eq!(lookups.made(), 2);
    }

    #[tokio::test]
    async fn concurrent_lookups_share_one_and_found_addresses_are_not_kept() {
        let lookups = HostLookups::default();
        let found = futures::future::join_all((0..8).map(|_| resolve(&lookups, "localhost"))).await;
        for f in &found {
            assert!(!f.as_ref().unwrap().is_empty(), "{f:?}");
        }
        assert_eq!(lookups.made(), 1);
        resolve(&lookups, "localhost").await.unwrap();
        assert_eq!(lookups.made(), 2);
    }
}
