//! One registry client per registry, shared by every repository on it: what a scan of many
//! sources uses so that connections are reused and each token scope is requested once.
//!
//! Flux builds a fresh client per reconcile; a scan runs many "reconciles" at once, so sharing
//! is where its speed comes from. What is shared is transport-level only (connections, the
//! credentials looked up for the host, issued tokens); every repository still gets its own
//! per-repository state, so one source's verdict never depends on another's. Host name lookups
//! are shared by all of the pool's clients: a host that did not resolve is not looked up again
//! for each source ([`super::lookups`]).

use super::lookups::HostLookups;
use super::{Provider, RegistryClient, RegistryError, RegistryOptions};
use crate::source::reference::Reference;
use std::collections::HashMap;
use std::sync::Mutex;

/// Registry clients keyed by `host[:port]`, scheme and credential provider.
#[derive(Debug)]
pub struct ClientPool {
    options: RegistryOptions,
    /// The first client made for each (registry, plain HTTP) pair; later repositories on that
    /// registry are derived from it.
    roots: Mutex<HashMap<(String, bool, &'static str), RegistryClient>>,
    /// The run's host name lookups, shared by every client of the pool.
    lookups: HostLookups,
}

impl ClientPool {
    /// A pool whose clients use `options` (`plain_http` is decided per client).
    pub fn new(options: RegistryOptions) -> ClientPool {
        ClientPool {
            options,
            roots: Mutex::new(HashMap::new()),
            lookups: HostLookups::default(),
        }
    }

    /// A client for `reference`'s repository. `plain_http` is what the source asks for
    /// (`insecure: true`) or'ed with the pool's own setting; `provider` is the source's
    /// `spec.provider`, used when the pool's options name none. Plain and TLS connections to
    /// one host, and credentials from different providers, are kept apart.
    pub fn client(
        &self,
        reference: &Reference,
        plain_http: bool,
        provider: Provider,
    ) -> Result<RegistryClient, RegistryError> {
        let plain_http = plain_http || self.options.plain_http;
        let provider = match self.options.provider {
            Provider::Generic => provider,
            flag => flag,
        };
        let key = (reference.registry.clone(), plain_http, provider.name());
        let mut roots = self.roots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(root) = roots.get(&key) {
            return root.for_repository(&reference.repository);
        }
        let options = RegistryOptions {
            plain_http,
            provider,
            ..self.options.clone()
        };
        let client = RegistryClient::with_lookups(
            &reference.registry,
            &reference.repository,
            options,
            &self.lookups,
        )?;
        roots.insert(key, client.clone());
        Ok(client)
    }

    /// Requests sent through the pool's clients so far (auth and redirect hops included).
    pub fn requests_sent(&self) -> usize {
        let roots = self.roots.lock().unwrap_or_else(|e| e.into_inner());
        roots.values().map(RegistryClient::requests_sent).sum()
    }

    /// Host name lookups made by the pool's clients so far (a failed one is made once a run).
    pub fn lookups_made(&self) -> usize {
        self.lookups.made()
    }

    /// How many distinct registry connections (host and scheme) the pool holds.
    pub fn registries(&self) -> usize {
        self.roots.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::reference::Normalisation;

    #[test]
    fn one_root_per_registry_and_scheme() {
        let pool = ClientPool::new(RegistryOptions::default());
        let a = Reference::parse("r.example/app-a", Normalisation::Flux).unwrap();
        let b = Reference::parse("r.example/app-b", Normalisation::Flux).unwrap();
        let c = Reference::parse("other.example/app-c", Normalisation::Flux).unwrap();
        let ca = pool.client(&a, false, Provider::Generic).unwrap();
        let cb = pool.client(&b, false, Provider::Generic).unwrap();
        assert_eq!(ca.repository(), "app-a");
        assert_eq!(cb.repository(), "app-b");
        assert_eq!(cb.registry(), "r.example");
        pool.client(&c, false, Provider::Generic).unwrap();
        pool.client(&a, true, Provider::Generic).unwrap();
        pool.client(&a, true, Provider::Aws).unwrap();
        assert_eq!(pool.registries(), 4);
    }
}
