#!/usr/bin/env bash
# Spec-driven fuzzing of the management API and the SCIM API: schemathesis generates requests
# from the served OpenAPI document for every /api/v1 and /scim/v2 operation and checks each
# answer: no 5xx, and status
# code, content type and body as the document says. Runs against a fresh `roster run` on the
# embedded default, or with `--services` against PostgreSQL + RabbitMQ + Redis (its own
# database, queue prefix and key prefix).
# Usage: scripts/fuzz-api.sh [--services] [path to the roster binary]
set -euo pipefail
cd "$(dirname "$0")/.."
backend=embedded
if [ "${1:-}" = "--services" ]; then backend=services; shift; fi
roster=${1:-./target/debug/roster}
py=${ROSTER_TEST_PYTHON:-target/pyenv/bin/python}
st="$(dirname "$py")/schemathesis"
examples=${FUZZ_MAX_EXAMPLES:-100}

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export ROSTER_DATA_DIR="$work" ROSTER_LISTEN="127.0.0.1:$port" ROSTER_LOG_LEVEL=warn
# The fuzzer sends far more than an app would: measure conformance, not the request limits.
export ROSTER_LIMITS__API_REQUESTS_PER_SEC=0 ROSTER_LIMITS__SCIM_REQUESTS_PER_SEC=0
db=""
if [ "$backend" = services ]; then
  stamp="fuzz$(date +%s)$$"
  db="roster_t$stamp"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db" >/dev/null
  export ROSTER_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
  export ROSTER_AMQP_URL="amqp://guest:guest@127.0.0.1:5672/%2f" ROSTER_REDIS_URL="redis://127.0.0.1:6379"
  export ROSTER_QUEUE_PREFIX="$stamp" ROSTER_CACHE_PREFIX="$stamp"
fi
cleanup() {
  kill "${pid:-0}" 2>/dev/null || true
  wait "${pid:-0}" 2>/dev/null || true
  [ -n "$db" ] && psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"$roster" migrate >/dev/null
json() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
key=$("$roster" --json api-key create --name fuzzer | json secret)
# Objects for the fuzzer to find: a tenant with a connection and a token.
tenant=$("$roster" --json tenant create --name Fuzz | json id)
connection=$("$roster" --json connection create --tenant "$tenant" | json id)
scim_token=$("$roster" --json token issue --connection "$connection" | json token)
"$roster" run >"$work/roster.log" 2>&1 &
pid=$!
for _ in $(seq 150); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

# Excluded: revoking an API key. The fuzzer learns ids from responses and would revoke its
# own key, leaving every later request a 401 (the route is covered by cli/tests).
status=0
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
fuzz() {
  "$st" ${config:+--config-file "$config"} run "http://127.0.0.1:$port/openapi.json" \
    --checks "$checks" --phases examples,coverage,fuzzing \
    --max-examples "$examples" --seed "${FUZZ_SEED:-1}" --no-color --generation-database none \
    --request-timeout 10 "$@" >>"$work/report.txt" 2>&1 || status=$?
}
config=""
fuzz --include-path-regex '^/api/v1/' \
  --exclude-path-regex '^/api/v1/api-keys/\{api_key_id\}/revoke$' \
  -H "Authorization: Bearer $key"
# The SCIM API, on the connection the token belongs to (any other is a 401 by design).
config="$work/scim.toml"
printf '[parameters]\n"path.connection_id" = "%s"\n' "$connection" >"$config"
fuzz --include-path-regex '^/scim/v2/' -H "Authorization: Bearer $scim_token"
grep -E "generated|passed|failures" "$work/report.txt" || true
if [ "$status" -ne 0 ]; then
  echo "fuzz-api ($backend): failures:" >&2
  grep -v "^\s*$" "$work/report.txt" | grep -A12 -E "^_+ (GET|POST|PUT|PATCH|DELETE) " | head -200 >&2
  echo "server log:" >&2
  grep -v "Error encountered while processing" "$work/roster.log" | tail -20 >&2
fi
exit "$status"
