#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (real servers and browsers, and npm for
# axe-core: tests/web/test_axe.py runs `npm ci --prefix tests/web/axe`), when missing.
# Each line of PACKAGES is "<command or file that proves it is installed> <debian packages...>".
set -euo pipefail
PACKAGES=(
  "/usr/sbin/dovecot dovecot-imapd"
  "chromium chromium chromium-driver"
  "npm nodejs npm"
  "/usr/sbin/rabbitmq-server rabbitmq-server"
)
missing=()
for entry in "${PACKAGES[@]}"; do
  read -r probe pkgs <<<"$entry"
  if ! command -v "$probe" >/dev/null 2>&1 && [ ! -e "$probe" ]; then
    # shellcheck disable=SC2206
    missing+=($pkgs)
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${missing[*]} (install them with apt-get as root;" \
       "the tests that need them are skipped with a reason)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
