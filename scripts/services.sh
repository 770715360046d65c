#!/usr/bin/env bash
# Makes sure PostgreSQL, Redis and RabbitMQ answer on 127.0.0.1 (installing them with apt-get if
# they are missing), starting whichever does not. Used by the test script and CI.
set -euo pipefail

log() { printf '[services] %s\n' "$*" >&2; }

need_install=()
command -v pg_ctlcluster >/dev/null || need_install+=(postgresql)
command -v redis-server >/dev/null || need_install+=(redis-server)
command -v rabbitmq-server >/dev/null || need_install+=(rabbitmq-server)
if [ ${#need_install[@]} -gt 0 ]; then
  log "installing ${need_install[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_install[@]}" >/dev/null
fi

wait_for() { # name, seconds, command...
  local name=$1 secs=$2; shift 2
  for _ in $(seq "$secs"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$name did not become ready in ${secs}s"; return 1
}

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  wait_for PostgreSQL 30 pg_isready -h 127.0.0.1 -p 5432 -q
fi
# Tests connect as `postgres` over TCP without a password (trust auth on this machine).
psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_for Redis 15 redis-cli -h 127.0.0.1 -p 6379 ping
fi

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  log "starting RabbitMQ"
  rabbitmq-server -detached
  sleep 2
fi
wait_for RabbitMQ 60 rabbitmqctl -q await_startup
log "PostgreSQL, Redis and RabbitMQ are up"
