# Native AOT publishing of lh-agent (used by the agent end-to-end tests) needs a C toolchain and zlib.
apt_install clang zlib1g-dev
