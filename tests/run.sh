#!/usr/bin/env bash
# The test command from the README: installs what the tests need on a fresh machine, then runs
# every test project in LicenseHub.sln.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# Native AOT publishing of lh-agent (used by the agent end-to-end tests) needs clang and zlib.
command -v clang >/dev/null 2>&1 || need_apt+=(clang)
[ -e /usr/include/zlib.h ] || need_apt+=(zlib1g-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing test prerequisites: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

dotnet test LicenseHub.sln "$@"
