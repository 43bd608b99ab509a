#!/usr/bin/env bash
# One CI shard of the acceptance suite, exactly as the workflow and the Dockerfile run it (and as
# tests/reporting/test_ci_scripts.py runs it on SQLite and PostgreSQL).
#
#   ci/shard.sh K N        shard K of N: reports in $REPORTS_DIR/shard-K (report.json, junit.xml,
#                          report.html, allure-results/)
#   ci/shard.sh 1 1        the whole suite (the container's default command)
#
# Environment: DATABASE_URL (SQLite when unset), REPORTS_DIR (default reports; its report.json, the last
# merged run, balances the shards), JOBS (worker processes, default 2).
# The Allure formatter comes from behave.ini: a second `-f allure…` here would run two formatters per worker.
set -euo pipefail

if [ $# -lt 2 ] || ! [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ] || [ "$1" -gt "$2" ]; then
  echo "usage: ci/shard.sh K N   (1 <= K <= N), e.g. ci/shard.sh 2 3" >&2
  exit 2
fi
index=$1 total=$2
shift 2
reports=${REPORTS_DIR:-reports}
mkdir -p "$reports"

exec behave -j "${JOBS:-2}" --format=progress \
  -D shard="$index/$total" -D reports="$reports/shard-$index" -D durations="$reports/report.json" "$@"
