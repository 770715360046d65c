#!/usr/bin/env bash
# Runs every test: the web-admin checks and tests, the committed OpenAPI document check, and the
# Rust suite twice — on the embedded default (SQLite, in-process bus, memory cache) and on the
# real PostgreSQL + RabbitMQ + Redis. Each test isolates its own data.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "backing services"
bash scripts/services.sh
# Sweep databases left behind by test processes that were killed before cleaning up.
psql -h 127.0.0.1 -U postgres -d postgres -Atqc \
  "select 'DROP DATABASE IF EXISTS ' || datname || ' WITH (FORCE);' from pg_database where datname like 'roster\_t%'" \
  | psql -h 127.0.0.1 -U postgres -d postgres -q >/dev/null

step "web-admin: install, lint, type check, unit tests, build"
(cd web-admin && { [ -d node_modules ] && npm ls >/dev/null 2>&1 || npm ci --no-audit --no-fund; } \
  && npm run -s lint && npm run -s typecheck && npm test -- --reporter=dot && npm run -s build)

step "Python test dependencies (target/pyenv, from scripts/requirements-test.txt)"
# The official Standard Webhooks library verifies deliveries in cli/tests/official_verify.rs;
# schemathesis fuzzes the management API.
# The venv is rebuilt only when it is missing or the requirements changed.
pyenv=target/pyenv
want=$(sha256sum scripts/requirements-test.txt | cut -d' ' -f1)
if [ ! -x "$pyenv/bin/python" ] || [ "$(cat "$pyenv/requirements.sha256" 2>/dev/null)" != "$want" ]; then
  rm -rf "$pyenv"
  python3 -m venv "$pyenv"
  "$pyenv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-test.txt
  echo "$want" >"$pyenv/requirements.sha256"
fi
export ROSTER_TEST_PYTHON="$PWD/$pyenv/bin/python"

step "Rust build"
cargo build --workspace --all-targets --locked

step "OpenAPI document is up to date"
if ! ./target/debug/roster openapi | diff -u openapi.json - >/dev/null; then
  echo "openapi.json differs from the code: run 'make openapi' and commit it" >&2
  ./target/debug/roster openapi | diff -u openapi.json - | head -40 >&2
  exit 1
fi

step "Rust tests on the embedded default"
ROSTER_TEST_BACKEND=embedded cargo nextest run --workspace --locked --no-fail-fast

step "Rust tests on PostgreSQL + RabbitMQ + Redis"
ROSTER_TEST_BACKEND=services cargo nextest run --workspace --locked --no-fail-fast

step "Management API fuzzing (schemathesis, from the OpenAPI document) on both backends"
bash scripts/fuzz-api.sh ./target/debug/roster
bash scripts/fuzz-api.sh --services ./target/debug/roster

step "SCIM conformance (scim2-tester) against 'roster run'"
bash scripts/conformance.sh ./target/debug/roster

step "Faults: a write load through process kills and service restarts, checked by a ledger"
# The short run (2,000 changes, a 10 s RabbitMQ outage); `make faults` runs the long one.
# It restarts this machine's PostgreSQL, RabbitMQ and Redis, so it runs after the suites above.
./target/debug/roster-bench faults --binary target/debug/roster --changes 2000 --rate 40 --outage 10 --gap 3 \
  --out target/faults
# The embedded default: its one process SIGKILLed mid-request twice, and the flaky receiver.
./target/debug/roster-bench faults --backend embedded --binary target/debug/roster --changes 1000 --rate 40 \
  --gap 3 --out target/faults

step "Browser: smoke test and both end-to-end journeys against 'roster run' in headless Chromium"
command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
smoke_dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The journeys' webhook receiver listens on 127.0.0.1, which Roster refuses unless allowed.
# Debug logging: the run's logs are searched for the secrets the journeys handled.
export ROSTER_DATA_DIR="$smoke_dir"
RUST_LOG=debug ROSTER_LISTEN="127.0.0.1:$port" ROSTER_WEBHOOK__ALLOWED_NETWORKS='["127.0.0.1/32"]' \
  ./target/debug/roster run >"$smoke_dir/roster.log" 2>&1 &
roster_pid=$!
trap 'kill $roster_pid 2>/dev/null || true; rm -rf "$smoke_dir"' EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
(cd web-admin && node e2e/smoke.mjs "http://127.0.0.1:$port") || { cat "$smoke_dir/roster.log" >&2; exit 1; }
export E2E_OPERATOR_EMAIL=operator@example.com E2E_OPERATOR_PASSWORD="e2e-$(head -c 12 /dev/urandom | base64)"
ROSTER_ACCOUNT_PASSWORD="$E2E_OPERATOR_PASSWORD" ./target/debug/roster account create --email "$E2E_OPERATOR_EMAIL" >/dev/null
(cd web-admin && E2E_SECRETS_FILE="$smoke_dir/secrets.txt" node e2e/journeys.mjs "http://127.0.0.1:$port") \
  || { tail -50 "$smoke_dir/roster.log" >&2; exit 1; }
# No password, token, API key, setup link or signing secret of the run may appear in its logs.
leaks=0
while IFS= read -r secret; do
  if grep -qF -- "$secret" "$smoke_dir/roster.log"; then
    echo "a secret (${secret:0:6}…) appears in the server log" >&2
    leaks=$((leaks + 1))
  fi
done <"$smoke_dir/secrets.txt"
[ "$leaks" -eq 0 ] || exit 1
echo "no secret of the run ($(wc -l <"$smoke_dir/secrets.txt") issued) in $(wc -l <"$smoke_dir/roster.log") log lines"
echo "screenshots: web-admin/e2e/screenshots/"
