#!/usr/bin/env bash
# Property-based check of score-serve against its own OpenAPI document (issue 21.1): starts the
# server on a tiny run folder (127.0.0.1 only), then runs schemathesis on /openapi.json with the
# checks not_a_server_error, status_code_conformance, content_type_conformance and
# response_schema_conformance: no 5xx, and every answer has a documented status, content type and
# schema. Bounded: schemathesis gets --max-time (default 60 s) and the whole script 2 minutes.
#
#   apps/inference/scripts/schemathesis-check.sh            # uses `st` on PATH, else a venv in
#                                                           # ${SCHEMATHESIS_VENV:-$TMPDIR/score-schemathesis}
# Environment: SCHEMATHESIS_MAX_TIME (60), SCHEMATHESIS_SEED (1), SCHEMATHESIS_VENV,
# SCHEMATHESIS_PHASES (examples,fuzzing,stateful: schemathesis 4.32.5's "coverage" phase crashed
# inside its own case generator on Python 3.11 here, "SystemError: AST constructor recursion depth
# mismatch" in hypothesis, on a different operation each seed, while every case it sent passed;
# add it back with SCHEMATHESIS_PHASES=examples,coverage,fuzzing,stateful),
# SCHEMATHESIS_REPORT_DIR (writes an ndjson report of every request there).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app="$(cd "$here/.." && pwd)"
max_time="${SCHEMATHESIS_MAX_TIME:-60}"
seed="${SCHEMATHESIS_SEED:-1}"
work="$(mktemp -d "${TMPDIR:-/tmp}/score-schemathesis-run-XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

st_bin="$(command -v st || true)"
if [[ -z "$st_bin" ]]; then
  venv="${SCHEMATHESIS_VENV:-${TMPDIR:-/tmp}/score-schemathesis}"
  if [[ ! -x "$venv/bin/st" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet schemathesis
  fi
  st_bin="$venv/bin/st"
fi

cd "$app"
llm="$(node --conditions=@score/source --import tsx scripts/make-tiny-run.ts "$work")"
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
node --conditions=@score/source --import tsx src/main.ts --run "$work/run" --llm "$llm" --llm-context 4096 --llm-threads 1 \
  --workers 1 --host 127.0.0.1 --port "$port" --log-level error &
server_pid=$!
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { echo "score-serve exited before it was ready" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null

timeout 120 "$st_bin" run "http://127.0.0.1:$port/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases "${SCHEMATHESIS_PHASES:-examples,fuzzing,stateful}" \
  --max-time "$max_time" --seed "$seed" --workers 2 --request-timeout 30 --generation-database none \
  --suppress-health-check too_slow,data_too_large,filter_too_much --no-color \
  ${SCHEMATHESIS_REPORT_DIR:+--report ndjson --report-dir "$SCHEMATHESIS_REPORT_DIR"}
