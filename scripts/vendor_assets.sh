#!/usr/bin/env bash
# Copy the npm-installed front-end assets into static/vendor so the portal serves them itself (no CDN).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/htmx.org ] || [ ! -d node_modules/signature_pad ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
dest=static/vendor
mkdir -p "$dest"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$dest/bootstrap.min.css"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dest/bootstrap.bundle.min.js"
cp node_modules/chart.js/dist/chart.umd.min.js "$dest/chart.umd.min.js" 2>/dev/null || cp node_modules/chart.js/dist/chart.umd.js "$dest/chart.umd.min.js"
# The customer signs the repair feedback sheet on the technician's phone (REP-6).
cp node_modules/signature_pad/dist/signature_pad.umd.min.js "$dest/signature_pad.umd.min.js"
echo "vendor assets in $dest"
