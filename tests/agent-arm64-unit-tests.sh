#!/usr/bin/env bash
# The agent's unit tests (tests/LicenseHub.Agent.Tests, an xunit v3 executable) published for linux-arm64,
# self-contained, and run under qemu-user on an x86-64 machine (natively on an AArch64 one). tests/run.sh runs
# this after the solution's tests; tests/setup/10-native-aot.sh installs qemu-user and the arm64 libraries it needs.
# Under qemu-user the JIT runs the tests with W^X off (DOTNET_EnableWriteXorExecute=0), and with invariant
# globalization, as the agent itself is built (InvariantGlobalization), so no arm64 ICU is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d "${TMPDIR:-/tmp}/lh-agent-tests-arm64.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "Agent unit tests for linux-arm64: publishing"
# The test project references the agent, a framework-dependent executable; published self-contained, the pair
# only trips the SDK's check that both are alike, which does not matter for a test runner.
dotnet publish tests/LicenseHub.Agent.Tests -c Release -r linux-arm64 --self-contained \
  -p:PublishAot=false -p:ValidateExecutableReferencesMatchSelfContained=false \
  -o "$work/bin" --artifacts-path "$work/artifacts" -nologo -v quiet
run=("$work/bin/LicenseHub.Agent.Tests")
[ "$(uname -m)" = aarch64 ] || run=(qemu-aarch64 "${run[@]}")
echo "Agent unit tests for linux-arm64: running under ${run[0]}"
DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_EnableWriteXorExecute=0 "${run[@]}" -noColor
