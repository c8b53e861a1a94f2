#!/usr/bin/env bash
# Fuzz every operation of the Open API as every role, in-process (schemathesis over ASGI, SQLite with the
# demo accounts and work): no 5xx, every response matching its declared schema. Valid data (positive) and
# invalid data (negative) for each operation and identity; findings are written, not raised.
#   bench/fuzz_api.sh [EXAMPLES] [SEED]     (defaults: 25 examples per mode, seed 0 = the same run each time)
# Result: bench/results/fuzz_api.json; exit 1 when there are findings.
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES="${1:-25}"
SEED="${2:-0}"
OUT=bench/results/fuzz_api.json
.venv/bin/python -W ignore -m tests.trust.fuzzing --examples "$EXAMPLES" --seed "$SEED" --out "$OUT" > /dev/null
.venv/bin/python - "$OUT" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(f"{report['operations']} operations, {report['calls']} calls in {report['seconds']} s; statuses {report['statuses']}")
for finding in report["findings"]:
    print(f"- {finding['operation']} as {finding['identity']}: {finding['kind']}")
sys.exit(1 if report["findings"] else 0)
PY
