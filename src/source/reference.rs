//! Artifact references and the names trust policy scopes are matched against.
//!
//! Flux parses `OCIRepository.spec.url` with go-containerregistry's `name` package, which
//! normalises Docker Hub names: the first path component is a registry only if it contains `.`
//! or `:` (so `localhost/foo` is a Docker Hub repository), `docker.io` becomes
//! `index.docker.io`, and single-component Docker Hub repositories get `library/`. The
//! notation CLI parses with oras-go instead, which takes the first component as the registry
//! and normalises nothing. The artifact reference handed to notation-go, and therefore matched
//! against `registryScopes`, is `registry/repository@sha256:<hex>` in either case.

use std::fmt;

/// go-containerregistry's `DefaultRegistry`.
pub const DOCKER_HUB_REGISTRY: &str = "index.docker.io";

/// Why a reference could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// Nothing to parse.
    #[error("a repository name must be specified")]
    Empty,
    /// More than one `@`.
    #[error("a digest must contain exactly one '@' separator (e.g. registry/repository@digest) saw: {0}")]
    DigestSeparator(String),
    /// The digest is not `sha256:` followed by 64 lower-case hex digits.
    #[error("unsupported digest {0:?}: expected sha256:<64 lower-case hex digits>")]
    Digest(String),
    /// An empty or invalid tag.
    #[error("invalid tag {tag:?} in {reference}")]
    Tag {
        /// The tag.
        tag: String,
        /// The whole reference.
        reference: String,
    },
    /// An invalid repository path.
    #[error(
        "repository must be 2 to 255 characters of `abcdefghijklmnopqrstuvwxyz0123456789_-./`: {0}"
    )]
    Repository(String),
    /// An invalid registry host.
    #[error("registries must be valid RFC 3986 URI authorities: {0}")]
    Registry(String),
    /// The notation CLI requires `registry/repository`.
    #[error("invalid reference {0:?}: missing registry or repository")]
    MissingRepository(String),
}

/// How to read a reference: as Flux (go-containerregistry) or as the notation CLI (oras-go).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalisation {
    /// go-containerregistry `name.ParseReference`: Docker Hub defaults and rewrites.
    Flux,
    /// oras-go `registry.ParseReference`: the first component is the registry, as typed.
    Notation,
}

/// A parsed artifact reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Registry host (with port), after normalisation.
    pub registry: String,
    /// Repository path inside the registry, after normalisation.
    pub repository: String,
    /// Tag, when one was given.
    pub tag: Option<String>,
    /// `sha256:<hex>` digest, when one was given.
    pub digest: Option<String>,
    /// `registry/repository` exactly as typed (without scheme, tag or digest), which differs
    /// from [`Reference::repository_name`] when normalisation rewrote it.
    pub as_typed: String,
}

impl Reference {
    /// Parses `registry/repository[:tag][@sha256:hex]` (an `oci://` prefix is dropped, as Flux
    /// does with `spec.url`).
    pub fn parse(input: &str, normalisation: Normalisation) -> Result<Self, ReferenceError> {
        let input = input.strip_prefix("oci://").unwrap_or(input);
        if input.is_empty() {
            return Err(ReferenceError::Empty);
        }
        let (base, digest) = match input.split_once('@') {
            Some((_, d)) if d.contains('@') => {
                return Err(ReferenceError::DigestSeparator(input.to_string()))
            }
            Some((base, d)) => (base, Some(check_digest(d)?)),
            None => (input, None),
        };
        // A `:` after the last `/` starts a tag; before it, it is a registry port.
        let (name, tag) = match base.rsplit_once(':') {
            Some((name, tag)) if !tag.contains('/') => {
                if !valid_tag(tag) {
                    return Err(ReferenceError::Tag {
                        tag: tag.to_string(),
                        reference: input.to_string(),
                    });
                }
                (name, Some(tag.to_string()))
            }
            _ => (base, None),
        };
        let (registry, repository) = match normalisation {
            Normalisation::Flux => split_ggcr(name)?,
            Normalisation::Notation => split_oras(name)?,
        };
        Ok(Self {
            registry,
            repository,
            tag,
            digest,
            as_typed: name.to_string(),
        })
    }

    /// `registry/repository`: the part of the artifact reference scopes are matched against.
    pub fn repository_name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The artifact reference notation-go receives: `registry/repository@<digest>`.
    pub fn artifact_reference(&self, digest: &str) -> String {
        format!("{}@{}", self.repository_name(), digest)
    }

    /// Whether normalisation changed the `registry/repository` part.
    pub fn was_normalised(&self) -> bool {
        self.as_typed != self.repository_name()
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repository_name())?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

fn check_digest(digest: &str) -> Result<String, ReferenceError> {
    match digest.strip_prefix("sha256:") {
        Some(hex)
            if hex.len() == 64
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
        {
            Ok(digest.to_string())
        }
        _ => Err(ReferenceError::Digest(digest.to_string())),
    }
}

/// go-containerregistry's `tagChars`, at most 128 characters.
fn valid_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 128
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn check_repository(repository: &str) -> Result<(), ReferenceError> {
    let ok = (2..=255).contains(&repository.chars().count())
        && repository.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.' | b'/')
        });
    if ok {
        Ok(())
    } else {
        Err(ReferenceError::Repository(repository.to_string()))
    }
}

/// A host[:port] authority: no path, user info, query or whitespace.
fn check_registry(registry: &str) -> Result<(), ReferenceError> {
    let ok = !registry.is_empty()
        && !registry
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '/' | '@' | '?' | '#' | '\\'));
    if ok {
        Ok(())
    } else {
        Err(ReferenceError::Registry(registry.to_string()))
    }
}

/// go-containerregistry `NewRepository`.
fn split_ggcr(name: &str) -> Result<(String, String), ReferenceError> {
    let (registry, repository) = match name.split_once('/') {
        Some((first, rest)) if first.contains('.') || first.contains(':') => {
            check_registry(first)?;
            (first, rest)
        }
        _ => ("", name),
    };
    check_repository(repository)?;
    let registry = match registry {
        "" | "docker.io" => DOCKER_HUB_REGISTRY,
        other => other,
    };
    let repository = if registry == DOCKER_HUB_REGISTRY && !repository.contains('/') {
        let prefixed = format!("library/{repository}");
        check_repository(&prefixed)?;
        prefixed
    } else {
        repository.to_string()
    };
    Ok((registry.to_string(), repository))
}

/// oras-go `ParseReference`: `registry/repository`, the registry always explicit.
fn split_oras(name: &str) -> Result<(String, String), ReferenceError> {
    let Some((registry, repository)) = name.split_once('/') else {
        return Err(ReferenceError::MissingRepository(name.to_string()));
    };
    check_registry(registry)?;
    if repository.is_empty() || !repository.split('/').all(is_path_component) {
        return Err(ReferenceError::Repository(repository.to_string()));
    }
    Ok((registry.to_string(), repository.to_string()))
}

/// One path component of the OCI distribution grammar:
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i).is_some_and(alnum) {
            i += 1;
            continue;
        }
        let start = i;
        while bytes.get(i).is_some_and(|b| !alnum(b)) {
            i += 1;
        }
        let sep = component.get(start..i).unwrap_or_default();
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";

    fn flux(s: &str) -> Reference {
        Reference::parse(s, Normalisation::Flux).unwrap()
    }

    #[test]
    fn docker_hub_normalisation() {
        let r = flux("oci://docker.io/nginx");
        assert_eq!(r.repository_name(), "index.docker.io/library/nginx");
        assert!(r.was_normalised());
        assert_eq!(r.as_typed, "docker.io/nginx");
        assert_eq!(
            flux("docker.io/stefanprodan/x:1.0").repository_name(),
            "index.docker.io/stefanprodan/x"
        );
        assert_eq!(
            flux("localhost/foo").repository_name(),
            "index.docker.io/localhost/foo"
        );
        assert_eq!(
            flux("nginx").repository_name(),
            "index.docker.io/library/nginx"
        );
        assert_eq!(
            flux("localhost:5000/foo").repository_name(),
            "localhost:5000/foo"
        );
        let r = flux(&format!("ghcr.io/org/app:v1@{D}"));
        assert_eq!(r.artifact_reference(D), format!("ghcr.io/org/app@{D}"));
        assert_eq!(r.tag.as_deref(), Some("v1"));
        assert_eq!(r.digest.as_deref(), Some(D));
        assert!(!r.was_normalised());
    }

    #[test]
    fn notation_takes_registry_as_typed() {
        let r = Reference::parse(&format!("docker.io/nginx@{D}"), Normalisation::Notation).unwrap();
        assert_eq!(r.repository_name(), "docker.io/nginx");
        assert_eq!(
            Reference::parse("localhost:5000/a/b:v1", Normalisation::Notation)
                .unwrap()
                .tag
                .as_deref(),
            Some("v1")
        );
        assert!(Reference::parse("nginx", Normalisation::Notation).is_err());
        assert!(Reference::parse("r.io/Upper", Normalisation::Notation).is_err());
        assert!(Reference::parse("r.io/a__b/c-d", Normalisation::Notation).is_ok());
        assert!(Reference::parse("r.io/a___b", Normalisation::Notation).is_err());
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "",
            "ghcr.io/app@sha256:abc",
            "ghcr.io/app@md5:00",
            "ghcr.io/app:",
            "ghcr.io/App",
            "ghcr.io/a@b@c",
            "a",
        ] {
            assert!(Reference::parse(bad, Normalisation::Flux).is_err(), "{bad}");
        }
    }
}
