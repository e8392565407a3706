#!/usr/bin/env bash
# Set up a fresh machine for the project: system packages (with apt-get, where missing),
# a project virtualenv in .venv with pinned Python packages, and a warm font cache.
set -euo pipefail
cd "$(dirname "$0")/.."

# fonts and PDF tools for the bulletins; chromium and a Java runtime for the site's browser
# tests (Playwright drives Debian's chromium; the Nu HTML checker runs on Java); LibreOffice Calc
# for the test that opens the feedback workbooks as a county would
SYSTEM_PACKAGES=(fonts-noto-cjk poppler-utils fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
  chromium default-jre-headless libreoffice-calc-nogui)
# `scripts/setup.sh postgres` (make test-postgres): also the server its test starts;
# `scripts/setup.sh distributed` (make test-distributed): that server and a RabbitMQ broker
[ "${1:-}" = "postgres" ] && SYSTEM_PACKAGES+=(postgresql)
[ "${1:-}" = "distributed" ] && SYSTEM_PACKAGES+=(postgresql rabbitmq-server)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "安装系统软件包:${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # another set-up installing at the same time holds dpkg's lock: wait for it, do not fail
  apt=($sudo apt-get -o DPkg::Lock::Timeout=900)
  "${apt[@]}" install -y -q "${missing[@]}" >/dev/null 2>&1 || {
    "${apt[@]}" update -q >/dev/null
    "${apt[@]}" install -y -q "${missing[@]}" >/dev/null
  }
  fc-cache -f >/dev/null  # the first PDF would otherwise wait for the font cache
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ] || [ constraints.txt -nt .venv/.installed ]; then
  .venv/bin/pip install -q --upgrade pip
  # one resolution for everything, dagster-celery and dagster-postgres included: constraints.txt
  # pins the Dagster release they require, so pip reports no conflict
  .venv/bin/pip install -q -c constraints.txt -e ".[test,scale]"
  touch .venv/.installed
fi

# the PDFs' copy of the CJK font cut to the characters in common use (≈ 20 s, once per machine;
# pipeline/render/fonts.py): made here so that no run or test waits for it. Quiet if it cannot be
# made: the PDFs then use the whole font, and a missing font is said by `kac` in one line
.venv/bin/python -c "from pipeline.render.fonts import print_font_css; print_font_css()" >/dev/null 2>&1 || true
