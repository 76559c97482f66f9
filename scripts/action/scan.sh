#!/usr/bin/env bash
# The GitHub Action's scan step (action.yml): runs `fluxverify scan` with the action's inputs,
# writes the report, a job summary, and the `exit-code` and `report` outputs. It exits 0 itself
# so that the SARIF upload runs after a failing scan; the verdict step fails the job.
set -euo pipefail

: "${GITHUB_OUTPUT:?not running as a GitHub Actions step}"
fluxverify="${FLUXVERIFY:-fluxverify}"
format="${INPUT_FORMAT:-github}"
case "$format" in
  github | sarif | junit | json | text) ;;
  *) echo "::error title=fluxverify::format '$format': expected github, sarif, junit, json or text"; exit 1 ;;
esac
if [ "${INPUT_UPLOAD_SARIF:-false}" = true ] && [ "$format" != sarif ]; then
  echo "::error title=fluxverify::upload-sarif needs format: sarif (format is $format)"
  exit 1
fi

report="${INPUT_OUTPUT_FILE:-}"
if [ -z "$report" ]; then
  case "$format" in
    sarif) report=fluxverify.sarif ;;
    junit) report=fluxverify.xml ;;
    json) report=fluxverify.json ;;
  esac
fi

args=(scan -o "$format")
[ "${INPUT_STRICT:-false}" = true ] && args+=(--strict)
# Extra arguments and paths are split on white space, as the inputs document; no globbing.
set -f
# shellcheck disable=SC2206 # splitting is the documented meaning of these inputs
extra=(${INPUT_ARGS:-})
# shellcheck disable=SC2206
paths=(${INPUT_PATHS:-.})
set +f
[ ${#paths[@]} -gt 0 ] || paths=(.)
args+=(${extra[@]+"${extra[@]}"} -- "${paths[@]}")

echo "fluxverify ${args[*]}"
out="$(mktemp)"
set +e
"$fluxverify" "${args[@]}" >"$out"
code=$?
set -e

if [ -n "$report" ]; then
  cp "$out" "$report"
  echo "fluxverify: report written to $report"
fi
if [ "$format" = github ] || [ "$format" = text ]; then
  # On stdout, the log: GitHub reads the ::error / ::warning commands from it.
  cat "$out"
fi

{
  echo "report=$report"
  echo "exit-code=$code"
} >>"$GITHUB_OUTPUT"

case "$code" in
  0) verdict="every source passes" ;;
  1) verdict="a source fails verification" ;;
  2) verdict="a source could not be decided, or the scan could not run" ;;
  *) verdict="fluxverify ended with $code" ;;
esac
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    echo "### fluxverify scan: $verdict (exit $code)"
    echo
    if [ "$format" = github ] || [ "$format" = text ]; then
      echo '```text'
      grep -v '^::' "$out" || true
      echo '```'
    else
      echo "Report ($format): \`$report\`"
    fi
  } >>"$GITHUB_STEP_SUMMARY"
fi
rm -f "$out"
