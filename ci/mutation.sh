#!/usr/bin/env bash
# Mutation testing in CI (the scheduled job of .github/workflows/acceptance.yml):
#   ci/mutation.sh K N     shard K of N of the mutants, into $REPORTS_DIR/mutation-K
#   ci/mutation.sh merge   every $REPORTS_DIR/mutation-* into $REPORTS_DIR/mutation (mutation.json, which
#                          report.html shows when it sits at reports/mutation/mutation.json)
set -euo pipefail

reports=${REPORTS_DIR:-reports}
if [ "${1:-}" = merge ]; then
  shopt -s nullglob
  parts=("$reports"/mutation-*)
  if [ ${#parts[@]} -eq 0 ]; then
    echo "ci/mutation.sh merge: no $reports/mutation-* folders" >&2
    exit 2
  fi
  exec prs-acceptance mutate --merge "${parts[@]}" --out "$reports/mutation"
fi
if [ $# -lt 2 ] || ! [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ] || [ "$1" -gt "$2" ]; then
  echo "usage: ci/mutation.sh K N | ci/mutation.sh merge" >&2
  exit 2
fi
exec prs-acceptance mutate -j "${JOBS:-2}" --shard "$1/$2" --out "$reports/mutation-$1"
