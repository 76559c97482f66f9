#!/usr/bin/env bash
# The GitHub Action's install step (action.yml): puts a fluxverify on PATH and names it in the
# step's `path` output.
#
#   INPUT_BINARY set        that file, as it is (a build of one's own, the tests' build)
#   a release for the ref   its binary for the runner (RUNNER_OS/RUNNER_ARCH), refused unless
#                           its SHA-256 is the one the release's SHA256SUMS lists
#   otherwise               `cargo install --locked` from this repository at that ref (from
#                           the action's own directory when the action is used from a path)
#
# Release assets (.github/workflows/release.yml): fluxverify-<tag>-<target>.tar.gz, holding the
# `fluxverify` binary, and SHA256SUMS.
set -euo pipefail

: "${GITHUB_OUTPUT:?not running as a GitHub Actions step}"
: "${GITHUB_PATH:?not running as a GitHub Actions step}"
server="${GITHUB_SERVER_URL:-https://github.com}"
dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/fluxverify"
mkdir -p "$dest/bin"

found() {
  "$1" --version >/dev/null
  echo "path=$1" >>"$GITHUB_OUTPUT"
  dirname "$1" >>"$GITHUB_PATH"
  echo "fluxverify: $("$1" --version) at $1"
  exit 0
}

if [ -n "${INPUT_BINARY:-}" ]; then
  [ -x "$INPUT_BINARY" ] || { echo "::error title=fluxverify::binary $INPUT_BINARY is not an executable file"; exit 1; }
  found "$(cd "$(dirname "$INPUT_BINARY")" && pwd)/$(basename "$INPUT_BINARY")"
fi

ref="${INPUT_VERSION:-${ACTION_REF:-}}"
repository="${ACTION_REPOSITORY:-}"

target=""
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-gnu ;;
  Linux/ARM64) target=aarch64-unknown-linux-gnu ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
esac

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# Prints the HTTP status of a download of $1 to $2 (000 when nothing answered).
download() {
  curl -sSL --retry 3 -o "$2" -w '%{http_code}' "$1" || true
}

if [ -n "$repository" ] && [ -n "$ref" ] && [ -n "$target" ]; then
  asset="fluxverify-$ref-$target.tar.gz"
  base="$server/$repository/releases/download/$ref"
  status="$(download "$base/$asset" "$dest/$asset")"
  if [ "$status" = 200 ]; then
    sums_status="$(download "$base/SHA256SUMS" "$dest/SHA256SUMS")"
    if [ "$sums_status" != 200 ]; then
      echo "::error title=fluxverify::release $ref has $asset but no SHA256SUMS (HTTP $sums_status): refusing an unchecked binary"
      exit 1
    fi
    want="$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$dest/SHA256SUMS")"
    got="$(sha256 "$dest/$asset")"
    if [ -z "$want" ] || [ "$want" != "$got" ]; then
      echo "::error title=fluxverify::$asset: SHA-256 $got is not the one SHA256SUMS of release $ref lists (${want:-none})"
      exit 1
    fi
    tar -xzf "$dest/$asset" -C "$dest/bin" fluxverify
    echo "fluxverify: $asset from $base, SHA-256 $got as listed"
    found "$dest/bin/fluxverify"
  elif [ "$status" != 404 ]; then
    echo "::warning title=fluxverify::release download $base/$asset answered HTTP $status; building from source instead"
  fi
fi

command -v cargo >/dev/null 2>&1 || {
  echo "::error title=fluxverify::no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?} at ref ${ref:-?}, and no cargo to build one (add a Rust toolchain step)"
  exit 1
}
# The SARIF report's tool.driver.informationUri (src/report/sarif.rs).
if [ -n "$repository" ]; then
  export FLUXVERIFY_REPOSITORY_URL="$server/$repository"
  source_args=(--git "$server/$repository")
  [ -n "$ref" ] && source_args+=(--rev "$ref")
else
  # `uses: ./`: the action's directory is the repository.
  source_args=(--path "$GITHUB_ACTION_PATH")
fi
echo "fluxverify: cargo install --locked ${source_args[*]}"
cargo install --locked --root "$dest" "${source_args[@]}" fluxverify
found "$dest/bin/fluxverify"
