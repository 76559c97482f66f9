#!/usr/bin/env bash
# The GitHub Action's last step (action.yml): the job fails as `fluxverify scan` exited.
set -euo pipefail
code="${EXIT_CODE:-}"
case "$code" in
  0) exit 0 ;;
  '' | *[!0-9]*) echo "::error title=fluxverify::the scan step gave no exit code"; exit 2 ;;
  *) echo "fluxverify scan exited $code"; exit "$code" ;;
esac
