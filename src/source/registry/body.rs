//! Reading response bodies without trusting them: capped before anything past the cap is
//! buffered, and, where the descriptor is known, read to exactly its size and digest.

use super::digest::{self, OciDigest};
use super::error::{RegistryError, RequestLine};
use super::transport;
use futures::StreamExt;

/// How much of a token response oras-go's auth client reads (`maxResponseBytes`); the
/// cloud token exchanges read no more.
pub(super) const MAX_TOKEN_BODY: u64 = 128 * 1024;

/// What a body longer than its cap means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Excess {
    /// An error, raised before the excess is buffered.
    Refuse,
    /// Nothing: the first `cap` bytes are kept and the rest is left unread. oras decodes
    /// listings with `json.NewDecoder(io.LimitReader(body, 4 MiB)).Decode`: the first JSON value
    /// counts, whatever follows it is never read, and a value still open at the limit is
    /// `unexpected EOF`. Decoding the prefix with [`decode_first_json`](super::wire::decode_first_json) gives the same answers.
    Ignore,
}

/// Reads a body up to `cap` bytes.
pub(super) async fn read_capped(
    mut body: transport::Body,
    cap: u64,
    excess: Excess,
    line: &RequestLine,
) -> Result<Vec<u8>, RegistryError> {
    let limit = usize::try_from(cap).unwrap_or(usize::MAX);
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|detail| RegistryError::Transport {
            request: line.clone(),
            detail,
        })?;
        let room = limit.saturating_sub(out.len());
        if chunk.len() > room {
            if excess == Excess::Refuse {
                return Err(RegistryError::BodyTooLarge {
                    request: line.clone(),
                    limit: cap,
                });
            }
            append_within(&mut out, chunk.get(..room).unwrap_or_default(), cap);
            break;
        }
        append_within(&mut out, &chunk, cap);
    }
    Ok(out)
}

/// Appends `chunk`, growing the buffer geometrically but never past `limit` bytes of capacity:
/// `Vec`'s own doubling would overshoot a cap that is not a power-of-two multiple of the first
/// chunk (a 4 MiB body in 394-byte-then-64-KiB chunks ends in a 6.2 MiB allocation).
fn append_within(out: &mut Vec<u8>, chunk: &[u8], limit: u64) {
    let needed = out.len().saturating_add(chunk.len());
    if needed > out.capacity() {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let target = out
            .capacity()
            .saturating_mul(2)
            .max(needed)
            .min(limit.max(needed));
        out.reserve_exact(target - out.len());
    }
    out.extend_from_slice(chunk);
}

/// Reads exactly `size` bytes (hashing as they come), as `content.ReadAll` with a verifying
/// reader does: short is an error, one byte more is `trailing data`, another hash is
/// `mismatched digest`.
pub(super) async fn read_verified(
    mut body: transport::Body,
    size: u64,
    digest: &OciDigest,
) -> Result<Vec<u8>, RegistryError> {
    let mut out = Vec::with_capacity(usize::try_from(size.min(1 << 20)).unwrap_or(0));
    let mut hasher = digest.hasher();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|detail| RegistryError::ShortContent {
            expected: size,
            got: out.len() as u64,
            digest: format!("{digest} ({detail})"),
        })?;
        let room = usize::try_from(size - out.len() as u64).unwrap_or(usize::MAX);
        if chunk.len() > room {
            return Err(RegistryError::TrailingData);
        }
        hasher.update(&chunk);
        append_within(&mut out, &chunk, size);
    }
    if (out.len() as u64) < size {
        return Err(RegistryError::ShortContent {
            expected: size,
            got: out.len() as u64,
            digest: digest.to_string(),
        });
    }
    if !digest.matches(hasher) {
        return Err(RegistryError::MismatchedDigest);
    }
    Ok(out)
}

/// Reads exactly `size` bytes without a digest to check against (a tag index served without
/// `Docker-Content-Digest`: its digest is whatever the bytes hash to).
pub(super) async fn read_exact_size(
    body: transport::Body,
    size: u64,
    line: &RequestLine,
) -> Result<Vec<u8>, RegistryError> {
    let bytes = read_capped(body, size, Excess::Refuse, line)
        .await
        .map_err(|e| match e {
            RegistryError::BodyTooLarge { .. } => RegistryError::TrailingData,
            other => other,
        })?;
    if (bytes.len() as u64) < size {
        return Err(RegistryError::ShortContent {
            expected: size,
            got: bytes.len() as u64,
            digest: digest::sha256_digest(&bytes),
        });
    }
    Ok(bytes)
}
