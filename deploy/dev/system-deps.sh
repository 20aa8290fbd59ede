#!/usr/bin/env bash
# Install and start what the tests need from Debian: RabbitMQ, Chromium, Node and libical's
# bindings (as root only), and the npm packages of tests/conformance and tests/journeys.
# With --bench, also what the benchmarks compare against or drive: nginx and wrk.
set -euo pipefail
need=()
command -v rabbitmq-server >/dev/null 2>&1 || need+=(rabbitmq-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The calendar-client conformance suite (tests/conformance): ical.js under Node, libical's
# GObject bindings for Debian's python3.
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
/usr/bin/python3 -c "import gi; gi.require_version('ICalGLib', '3.0')" >/dev/null 2>&1 \
  || need+=(gir1.2-ical-3.0 python3-gi)
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
# The npm packages the tests run (ical.js for tests/conformance, axe-core for tests/journeys),
# as each folder's package-lock.json pins them, when missing or changed.
for folder in conformance journeys; do
  dir="$(dirname "$0")/../../tests/$folder"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] \
    || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "==> npm ci (tests/$folder)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
if [ -z "${AMQP_URL:-}" ] && ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "==> starting RabbitMQ"
  rabbitmq-server -detached
  for _ in $(seq 1 90); do
    (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && break
    sleep 1
  done
  rabbitmqctl -q await_startup
fi
