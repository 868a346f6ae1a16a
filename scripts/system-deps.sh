#!/usr/bin/env bash
# Debian packages postdesk needs beside its Python wheels, installed when missing.
#   --runtime: what the centre itself uses (the month-end PDF: Pango, HarfBuzz's subsetter
#              and the Noto CJK fonts it embeds) — `make run`
#   (none):    that, and what the checks use (Chromium, gettext, local Redis/PostgreSQL
#              servers, systemd-analyze, poppler's pdftotext/pdffonts) — `make test`
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

need=()
has_lib libpango-1.0.so.0 || need+=(libpango-1.0-0)
has_lib libpangoft2-1.0.so.0 || need+=(libpangoft2-1.0-0)
has_lib libharfbuzz-subset.so.0 || need+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
if [ "${1:-}" != "--runtime" ]; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v msgfmt >/dev/null || need+=(gettext)
  # the ops tests: their own Redis and PostgreSQL servers, pg_dump, systemd-analyze verify
  command -v redis-server >/dev/null || need+=(redis-server)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v systemd-analyze >/dev/null || need+=(systemd)
  command -v pdftotext >/dev/null && command -v pdffonts >/dev/null || need+=(poppler-utils)
fi
[ ${#need[@]} -eq 0 ] && exit 0
printf '\n==> installing Debian packages: %s\n' "${need[*]}"
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
