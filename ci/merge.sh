#!/usr/bin/env bash
# Merge the shards' reports (ci/shard.sh K N wrote $REPORTS_DIR/shard-K) into $REPORTS_DIR: report.json,
# report.html, junit.xml, allure-results/, and the Allure 3 report in allure-report/ (npm ci first).
# Exit status 1 when the merged run did not pass (merge --strict), after everything is written.
set -euo pipefail

reports=${REPORTS_DIR:-reports}
shopt -s nullglob
shards=("$reports"/shard-*/report.json)
if [ ${#shards[@]} -eq 0 ]; then
  echo "ci/merge.sh: no shard reports under $reports/shard-*/report.json" >&2
  exit 2
fi
allure=()
for report in "${shards[@]}"; do allure+=("$(dirname "$report")/allure-results"); done

status=0
prs-acceptance merge "${shards[@]}" --allure "${allure[@]}" --out "$reports" --strict || status=$?
if [ -x node_modules/.bin/allure ]; then
  npx --no-install allure generate "$reports/allure-results" -o "$reports/allure-report"
else
  echo "ci/merge.sh: node_modules/.bin/allure missing (run npm ci): no Allure report generated" >&2
fi
exit "$status"
