# The two commands of the README: `make run` and `make test`. The rest are conveniences.
.PHONY: run test admin lint openapi services faults bench

# Build the admin UI and run everything in one process on the embedded default
# (SQLite in ./data, in-process event bus, in-memory cache) at http://127.0.0.1:8080.
# For local evaluation, webhooks may target this machine (127.0.0.1); by default Roster refuses
# private and loopback targets.
LOCAL_WEBHOOKS ?= ["127.0.0.1/32"]
run: admin
	ROSTER_WEBHOOK__ALLOWED_NETWORKS='$(LOCAL_WEBHOOKS)' cargo run --release --locked -p roster -- run

# Every test, on the embedded default and on PostgreSQL + RabbitMQ + Redis.
test:
	bash scripts/test.sh

admin:
	cd web-admin && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run -s build

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cd web-admin && npm run -s lint && npm run -s typecheck

# Regenerate the committed OpenAPI document after changing the API.
openapi:
	cargo run -q -p roster -- openapi > openapi.json

services:
	bash scripts/services.sh

# The long fault run: 10,000 changes at 100/s through a worker SIGKILL, a 30 s RabbitMQ outage,
# PostgreSQL and Redis restarts, a flaky receiver and an api SIGKILL; then the embedded default
# (`roster run` SIGKILLed twice, the flaky receiver). The ledgers and timelines go to
# bench/results. Restarts this machine's services. (`make test` runs short ones.)
faults:
	bash scripts/services.sh
	cargo build --release --locked -p roster -p roster-bench
	./target/release/roster-bench faults
	./target/release/roster-bench faults --backend embedded

# The full benchmark run behind BENCHMARKS.md: the pgbench ceiling, then every scenario on
# PostgreSQL + RabbitMQ + Redis and on the embedded default; reports go to bench/results.
bench:
	bash scripts/services.sh
	cargo build --release --locked -p roster -p roster-bench
	./target/release/roster-bench all
