#!/usr/bin/env bash
# Install the Debian packages the portal needs when they are missing (idempotent; needs root and apt).
#   run:  a CJK font and HarfBuzz's subsetter for Chinese PDFs (WeasyPrint), gettext for the catalogue
#   test: the same plus Chromium for the browser tests and poppler-utils to read PDFs back
set -euo pipefail
mode=${1:-run}
want=()
fc-list 2>/dev/null | grep -q "WenQuanYi Micro Hei" || want+=(fonts-wqy-microhei)
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || want+=(libharfbuzz-subset0)
command -v msgfmt >/dev/null || want+=(gettext)
if [ "$mode" = test ]; then
  command -v chromium >/dev/null || want+=(chromium)
  command -v pdftotext >/dev/null || want+=(poppler-utils)
fi
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "warning: please install ${want[*]} (Debian packages); Chinese PDFs print empty boxes without a CJK font" >&2
  exit 0
fi
echo "installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
