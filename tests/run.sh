#!/usr/bin/env bash
# The test command from the README: installs and starts what the tests need on a fresh machine, runs
# every test project in LicenseHub.sln, and stops what it started.
#
# The integration suite (tests/LicenseHub.Tests) runs twice: on SQLite, then on PostgreSQL.
#
# Each tests/setup/NN-name.sh is sourced in order. It may install packages (apt_install), start
# services, export environment variables for the tests, and register a cleanup command (on_exit).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
APT_UPDATED=""
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing test prerequisites: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

EXIT_COMMANDS=()
on_exit() { EXIT_COMMANDS+=("$*"); }
run_exit_commands() {
  for ((i=${#EXIT_COMMANDS[@]}-1; i>=0; i--)); do eval "${EXIT_COMMANDS[$i]}" || true; done
}
trap run_exit_commands EXIT

for setup in tests/setup/*.sh; do
  [ -e "$setup" ] || continue
  # shellcheck source=/dev/null
  source "$setup"
done

dotnet test LicenseHub.sln "$@"

# The agent's unit tests once more, built for linux-arm64 and run under qemu-aarch64.
bash tests/agent-arm64-unit-tests.sh

# The integration suite once more, each test on a fresh PostgreSQL database of the server that
# tests/setup/30-postgres.sh started: same tests, same assertions, the other provider.
if [ -n "${LICENSEHUB_TEST_POSTGRES:-}" ]; then
  echo "Integration tests on PostgreSQL:"
  LICENSEHUB_TEST_PROVIDER=Postgres dotnet test tests/LicenseHub.Tests --no-build "$@"
fi
