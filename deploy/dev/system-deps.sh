#!/usr/bin/env bash
# Install and start what the tests need from Debian: RabbitMQ and Chromium (as root only).
# With --bench, also what the benchmarks compare against or drive: nginx and wrk.
set -euo pipefail
need=()
command -v rabbitmq-server >/dev/null 2>&1 || need+=(rabbitmq-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ "${1:-}" = "--bench" ]; then
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  [ -x /usr/sbin/nginx ] || need+=(nginx-light)
fi
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing ${need[*]}: run 'sudo apt-get install -y ${need[*]}'." >&2
    exit 1
  fi
  echo "==> apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ -z "${AMQP_URL:-}" ] && ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "==> starting RabbitMQ"
  rabbitmq-server -detached
  for _ in $(seq 1 90); do
    (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && break
    sleep 1
  done
  rabbitmqctl -q await_startup
fi
