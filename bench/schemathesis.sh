#!/usr/bin/env bash
# The full schemathesis run against a running system (make run, or bench/chaos.py's stack):
# every operation of /api/schema/, all phases (examples, coverage, fuzzing, stateful via the
# document's links), every check but positive_data_acceptance (see tests/intake/test_api_schemathesis.py).
#
#   bench/schemathesis.sh [URL] [MAX_EXAMPLES]      # default http://127.0.0.1:8000, 200
#
# The key is var/demo-api-key.txt (make run writes it) or $ONEWINDOW_API_KEY. One worker:
# Hypothesis' lambda cache is not thread-safe and fails with several.
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:-http://127.0.0.1:8000}
examples=${2:-200}
key=${ONEWINDOW_API_KEY:-$(cat var/demo-api-key.txt)}
exec .venv/bin/schemathesis run "$url/api/schema/" \
  --header "Authorization: Token $key" \
  --checks all --exclude-checks positive_data_acceptance \
  --max-examples "$examples" --workers 1 --seed "${SEED:-20261202}" \
  --generation-database none --rate-limit auto --no-color
