#!/usr/bin/env bash
# Makes docs/run_form.png: the generate-scenes run form of the local deployment, as the Prefect UI shows it in
# headless Chromium (Debian's `chromium`). Starts its own Prefect server on 127.0.0.1 and stops it by PID.
# Run from the repository root, with the project installed in .venv.
set -euo pipefail
PORT=${PORT:-4311}
export PREFECT_HOME=$(mktemp -d) PREFECT_API_URL=http://127.0.0.1:$PORT/api PREFECT_UI_API_URL=http://127.0.0.1:$PORT/api
.venv/bin/prefect server start --host 127.0.0.1 --port "$PORT" >"$PREFECT_HOME/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER; rm -rf "$PREFECT_HOME"' EXIT
until curl -sf "$PREFECT_API_URL/health" >/dev/null; do sleep 1; done
.venv/bin/prefect work-pool create scenegen-local --type process >/dev/null
.venv/bin/prefect --no-prompt deploy --name scene-generation-local >/dev/null
ID=$(.venv/bin/prefect deployment inspect generate-scenes/scene-generation-local | grep -oE "'id': '[0-9a-f-]{36}'" | head -1 | cut -d"'" -f4)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$PREFECT_HOME/chromium" --window-size=1400,1500 \
  --hide-scrollbars --virtual-time-budget=30000 --screenshot="$PREFECT_HOME/form.png" \
  "http://127.0.0.1:$PORT/deployments/deployment/$ID/run" 2>/dev/null
.venv/bin/python -c "import sys; from PIL import Image; Image.open(sys.argv[1]).convert('RGB').crop((250, 0, 1400, 1275)).save('docs/run_form.png', optimize=True)" "$PREFECT_HOME/form.png"
echo "docs/run_form.png"
