#!/usr/bin/env bash
# System packages yiye needs outside Python, from Debian:
#   fonts-noto-cjk       the CJK font the PDFs name explicitly ("Noto Sans CJK SC")
#   libharfbuzz-subset0  font subsetting in C; without it WeasyPrint falls back to fontTools
#                        and one Chinese page takes ~16 s instead of ~0.3 s
#   fontconfig           fc-match, which finds the CJK font the print faces are cut from
# Idempotent: apt runs only when a package is missing. Needs root (or sudo) when it does.
# Extra packages can be passed as arguments, e.g. scripts/setup-system.sh chromium
set -euo pipefail

packages=(fonts-noto-cjk libharfbuzz-subset0 fontconfig "$@")

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup-system: ${packages[*]} already installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "setup-system: need root to install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
# make the new fonts visible to fontconfig (Pango) at once
command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1 || true
