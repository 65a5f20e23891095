#!/usr/bin/env bash
# Copy the npm-installed front-end assets into static/vendor so the portal serves them itself (no CDN).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/htmx.org ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
dest=static/vendor
mkdir -p "$dest"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$dest/bootstrap.min.css"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dest/bootstrap.bundle.min.js"
cp node_modules/chart.js/dist/chart.umd.min.js "$dest/chart.umd.min.js" 2>/dev/null || cp node_modules/chart.js/dist/chart.umd.js "$dest/chart.umd.min.js"
echo "vendor assets in $dest"
