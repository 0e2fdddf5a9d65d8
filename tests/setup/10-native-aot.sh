# Native AOT publishing of lh-agent (used by the agent end-to-end tests) needs a C toolchain and zlib.
apt_install clang zlib1g-dev

# lh-agent for linux-arm64, cross-compiled here and run under qemu-user (Arm64AgentEndToEndTests): clang links
# with Debian's AArch64 cross toolchain and C library; the agent loads OpenSSL at run time, so qemu-aarch64 needs
# the arm64 libssl3 too (multiarch: /usr/lib/aarch64-linux-gnu), and the agent's unit tests published for
# linux-arm64 (tests/agent-arm64-unit-tests.sh) need the arm64 libstdc++6 of the .NET runtime.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  APT_UPDATED=""
fi
apt_install gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user libssl3:arm64 libstdc++6:arm64
