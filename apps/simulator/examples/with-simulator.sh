#!/usr/bin/env bash
# Runs a command against a simulator started for it, then stops the simulator: `bash with-simulator.sh npm test`.
# The command gets OPENREMOTE_URL, OPENREMOTE_KEYCLOAK_URL and OPENREMOTE_SIMULATOR_CONTROL (the control plane).
set -euo pipefail
ready=$(mktemp)
# Free ports for everything; the ready line (one JSON line) on stdout, the banner and the logs on stderr.
npx --no-install openremote-simulator --port 0 --ready-json > "$ready" &
launcher=$!
until [ -s "$ready" ]; do
  kill -0 "$launcher" 2> /dev/null || { echo "the simulator did not start" >&2; exit 1; }
  sleep 0.1
done
field() { node -p "JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).$1" "$ready"; }
pid=$(field pid)
# SIGTERM stops it gracefully (exit 0), also when the command fails.
trap 'kill "$pid" 2> /dev/null || true; wait "$launcher" || true; rm -f "$ready"' EXIT
OPENREMOTE_URL=$(field api) OPENREMOTE_KEYCLOAK_URL=$(field keycloak) OPENREMOTE_SIMULATOR_CONTROL=$(field control) "$@"
