#!/usr/bin/env bash
# Independent SCIM conformance check: runs the python-scim project's compliance checker
# (scim2-tester, through scim2-cli) against a fresh Roster on the embedded default.
# Usage: scripts/conformance.sh [path to the roster binary]
set -euo pipefail
cd "$(dirname "$0")/.."
roster=${1:-./target/debug/roster}
venv=target/conformance-venv
if [ ! -x "$venv/bin/scim2" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check scim2-cli==0.6.0 scim2-tester==0.5.2
fi

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export ROSTER_DATA_DIR="$work" ROSTER_LISTEN="127.0.0.1:$port"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
tenant=$("$roster" --json tenant create --name Conformance | json id)
connection=$("$roster" --json connection create --tenant "$tenant" | json id)
token=$("$roster" --json token issue --connection "$connection" | json token)
"$roster" run >"$work/roster.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

report="$work/report.txt"
status=0
SCIM_CLI_HEADERS="Authorization: Bearer $token" \
  "$venv/bin/scim2" -u "http://127.0.0.1:$port/scim/v2/$connection" test >"$report" 2>&1 || status=$?
passed=$(grep -c '^SUCCESS' "$report" || true)
failed=$(grep -cE '^(ERROR|FAIL)' "$report" || true)
grep -E '^(ERROR|FAIL)' -A2 "$report" | cut -c1-400 || true
echo "conformance: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
