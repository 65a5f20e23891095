#!/usr/bin/env bash
# Copy the npm-installed front-end assets into static/vendor so the portal serves them itself (no CDN).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/htmx.org ] || [ ! -d node_modules/signature_pad ] || [ ! -d node_modules/echarts ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
dest=static/vendor
mkdir -p "$dest"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$dest/bootstrap.min.css"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dest/bootstrap.bundle.min.js"
# One chart library for the whole portal (RPT-1): Apache ECharts; its Chinese locale is built into the full bundle.
cp node_modules/echarts/dist/echarts.min.js "$dest/echarts.min.js"
rm -f "$dest/chart.umd.min.js"
# The customer signs the repair feedback sheet on the technician's phone (REP-6).
cp node_modules/signature_pad/dist/signature_pad.umd.min.js "$dest/signature_pad.umd.min.js"
echo "vendor assets in $dest"
