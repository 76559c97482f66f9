#!/usr/bin/env bash
# Runs every fuzz target for a bounded time and prints executions and crashes per target.
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
# Needs cargo-fuzz (`cargo install cargo-fuzz`); runs on stable with `--sanitizer none`.
# Seeds come from the project's fixtures and test vectors; crashes land in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-120}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)

vectors=../tests/vectors
# Other projects' vectors are not in the repository: ../shared/upstream-vectors beside it, or
# FLUXVERIFY_UPSTREAM_VECTORS (two targets read a certificate from them, tests/support/upstream.rs).
export FLUXVERIFY_UPSTREAM_VECTORS="${FLUXVERIFY_UPSTREAM_VECTORS:-$(cd ../.. && pwd)/shared/upstream-vectors}"
upstream=$FLUXVERIFY_UPSTREAM_VECTORS
seed() { # seed TARGET FILE...
  mkdir -p "corpus/$1"
  for f in "${@:2}"; do [ -f "$f" ] && cp "$f" "corpus/$1/$(sha256sum "$f" | cut -c1-16)"; done
  return 0
}
seed trust_policy $(find "$vectors" "$upstream" ../fixtures -name '*trustpolicy*.json' 2>/dev/null)
seed secret_manifest $(find "$vectors" "$upstream" ../fixtures -name '*.yaml' 2>/dev/null)
seed certificate $(find "$vectors" "$upstream" ../fixtures \( -name '*.crt' -o -name '*.cer' -o -name '*.der' \) 2>/dev/null)
seed ber_to_der $(find "$vectors" "$upstream" ../fixtures \( -name '*.p7s' -o -name '*.tsq' -o -name '*.tsr' \) 2>/dev/null)
seed envelope $(find "$vectors" "$upstream" ../fixtures \( -name '*.sig' -o -name '*sig_env*.json' \) 2>/dev/null)
seed revocation_response $(find "$vectors" "$upstream" ../fixtures \( -name '*.crl' -o -name '*.ocsp' \) 2>/dev/null)
seed oci_layout_json $(find "$vectors" "$upstream" -path '*oci_layout*' -name 'index.json' 2>/dev/null)
# timestamp_token seeds: each timestamped envelope's signature bytes and token, framed as the
# target reads them (u16 little-endian signature length, signature, token).
mkdir -p corpus/timestamp_token
python3 - corpus/timestamp_token "$vectors" "$upstream" <<'PY'
import base64, hashlib, json, pathlib, struct, sys
for path in (p for root in sys.argv[2:] for p in pathlib.Path(root).rglob("*.sig")):
    try:
        env = json.loads(path.read_bytes())
        sig = base64.urlsafe_b64decode(env["signature"] + "==")
        token = base64.b64decode(env["header"]["io.cncf.notary.timestampSignature"])
    except Exception:
        continue
    seed = struct.pack("<H", len(sig)) + sig + token
    (pathlib.Path(sys.argv[1]) / hashlib.sha256(seed).hexdigest()[:16]).write_bytes(seed)
PY
# registry_responses seeds: for each signature in the OCI layouts, the registry's answers to
# resolve, referrers listing, signature manifest and blob (format in the target's header), and
# the signature manifest alone behind `MANIFEST`.
mkdir -p corpus/registry_responses
python3 - corpus/registry_responses "$vectors" "$upstream" <<'PY'
import hashlib, json, pathlib, sys
SUBJECT = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}'
INDEX = "application/vnd.oci.image.index.v1+json"
def d(b): return "sha256:" + hashlib.sha256(b).hexdigest()
def reply(status, headers, body=b""):
    head = "%d\n" % status + "".join("%s: %s\n" % kv for kv in headers)
    return head.encode() + b"\n" + body
out = pathlib.Path(sys.argv[1])
def write(seed): (out / hashlib.sha256(seed).hexdigest()[:16]).write_bytes(seed)
subject = reply(200, [("Content-Type", "application/vnd.oci.image.manifest.v1+json"),
                      ("Docker-Content-Digest", d(SUBJECT)), ("Content-Length", len(SUBJECT))])
for blobs in (b for root in sys.argv[2:] for b in pathlib.Path(root).rglob("blobs/sha256")):
    for f in sorted(blobs.iterdir())[:200]:
        raw = f.read_bytes()
        try:
            m = json.loads(raw)
        except Exception:
            continue
        if m.get("artifactType") != "application/vnd.cncf.notary.signature" or not m.get("layers"):
            continue
        mt = m.get("mediaType", "application/vnd.oci.image.manifest.v1+json")
        desc = {"mediaType": mt, "digest": d(raw), "size": len(raw), "artifactType": m["artifactType"]}
        page = json.dumps({"schemaVersion": 2, "mediaType": INDEX, "manifests": [desc]}).encode()
        layer = m["layers"][0]
        blob = (blobs / layer["digest"].split(":")[1])
        envelope = blob.read_bytes() if blob.exists() else b""
        manifest = reply(200, [("Content-Type", mt), ("Docker-Content-Digest", d(raw)), ("Content-Length", len(raw))], raw)
        blob_reply = reply(200, [("Content-Length", len(envelope))], envelope)
        write(b"\n~~~\n".join([subject, reply(200, [("Content-Type", INDEX)], page), manifest, blob_reply]))
        # The tag-schema fallback: no referrers API, then the tag index.
        write(b"\n~~~\n".join([subject, reply(404, []), reply(200, [("Content-Type", INDEX), ("Content-Length", len(page))], page), manifest, blob_reply]))
        # A Basic challenge first.
        write(b"\n~~~\n".join([reply(401, [("WWW-Authenticate", 'Basic realm="r"')]), subject, reply(200, [("Content-Type", INDEX), ("Link", '</v2/app/referrers/x?n=1>; rel="next"')], page), manifest, blob_reply]))
        write(b"MANIFEST\n" + raw)
PY
# nesting seeds: the manifests, and each kind of nesting just under and over the limit (128).
seed nesting $(find "$vectors" ../fixtures -name '*.yaml' 2>/dev/null | head -200)
python3 - corpus/nesting <<'PY'
import pathlib, sys
out = pathlib.Path(sys.argv[1])
for depth in (127, 128, 129, 140):
    cases = {
        "flow": "[" * depth + "]" * depth,
        "json": '{"a":' * depth + "1" + "}" * depth,
        "entries": "- " * depth + "x\n",
        "keys": "? " * depth + "x\n",
        "staircase": "".join(" " * d + "a:\n" for d in range(depth)),
        "mixed": "- " * (depth // 2) + "[" * (depth - depth // 2),
        "sameColumn": "".join(" " * (2 * d) + "a:\n" + " " * (2 * d) + "-\n" for d in range(depth // 2)),
    }
    for name, text in cases.items():
        (out / f"{name}-{depth}").write_text(text)
PY
mkdir -p corpus/distinguished_name
printf 'C=US,ST=WA,O=Notary,CN=e2e' > corpus/distinguished_name/seed1
printf 'CN=a\\,b+OU=x;O=y,ST=z,C=US' > corpus/distinguished_name/seed2

printf '%-22s %12s %8s %6s\n' target executions seconds crash
for t in "${targets[@]}"; do
  log=$(mktemp)
  status=0
  cargo fuzz run --sanitizer none -O "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 >"$log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  crash=no; [ $status -eq 0 ] || crash=yes
  printf '%-22s %12s %8s %6s\n' "$t" "${execs:-?}" "$seconds" "$crash"
  [ $status -eq 0 ] || tail -30 "$log"
  rm -f "$log"
done
