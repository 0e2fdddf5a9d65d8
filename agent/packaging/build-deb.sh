#!/usr/bin/env bash
# Builds lh-agent_<version>_<arch>.deb from a published lh-agent binary and the vendor's trust anchor:
#   agent/packaging/build-deb.sh --binary PATH --trust trust.json [--version V] [--arch amd64|arm64] [--out DIR]
# The package installs /usr/bin/lh-agent, the hardened unit /lib/systemd/system/lh-agent.service (run as the system
# user lh-agent that postinst creates), the state directory /var/lib/lh-agent (0700) and the trust anchor
# /etc/lh-agent/trust.json as a conffile (an edited anchor survives upgrades). Purging removes the state and the user.
# Needs only dpkg-deb (Debian's dpkg); no root: file ownership is root:root through --root-owner-group.
set -euo pipefail

usage() { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
binary="" trust="" version="" arch="" out="."
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="${2:-}"; shift 2 ;;
    --trust) trust="${2:-}"; shift 2 ;;
    --version) version="${2:-}"; shift 2 ;;
    --arch) arch="${2:-}"; shift 2 ;;
    --out) out="${2:-}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "build-deb.sh: unknown argument $1" >&2; usage ;;
  esac
done
[ -n "$binary" ] && [ -x "$binary" ] || { echo "build-deb.sh: --binary must name the published lh-agent executable" >&2; exit 2; }
[ -n "$trust" ] && [ -s "$trust" ] || { echo "build-deb.sh: --trust must name the vendor's trust anchor (licensehub trust export)" >&2; exit 2; }
grep -q '"keys"' "$trust" || { echo "build-deb.sh: $trust is not a trust anchor (a JWKS with \"keys\")" >&2; exit 2; }
if [ -z "$arch" ]; then
  # The ELF header's e_machine (bytes 18-19, little-endian): 62 x86-64, 183 AArch64.
  case "$(od -An -tu2 -j18 -N2 "$binary" | tr -d ' ')" in
    62) arch=amd64 ;;
    183) arch=arm64 ;;
    *) echo "build-deb.sh: $binary is neither an x86-64 nor an AArch64 executable; give --arch" >&2; exit 2 ;;
  esac
fi
case "$arch" in amd64|arm64) ;; *) echo "build-deb.sh: --arch must be amd64 or arm64" >&2; exit 2 ;; esac
if [ -z "$version" ]; then
  # The binary's own --version; an AArch64 binary on an x86-64 build machine runs under qemu-user (Debian's
  # qemu-user), with the multiarch arm64 C library if installed, else the one of libc6-dev-arm64-cross; or give --version.
  run=("$binary")
  case "$arch/$(uname -m)" in
    amd64/x86_64|arm64/aarch64) ;;
    arm64/*)
      command -v qemu-aarch64 >/dev/null \
        || { echo "build-deb.sh: $binary is an AArch64 executable and qemu-aarch64 is not installed to run it; give --version" >&2; exit 2; }
      if [ -e /lib/ld-linux-aarch64.so.1 ]; then run=(qemu-aarch64 "$binary"); else run=(qemu-aarch64 -L /usr/aarch64-linux-gnu "$binary"); fi ;;
    *) echo "build-deb.sh: $binary does not run on $(uname -m); give --version" >&2; exit 2 ;;
  esac
  version="$("${run[@]}" --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1)"
fi
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || { echo "build-deb.sh: '$version' is not a Debian version" >&2; exit 2; }

here="$(cd "$(dirname "$0")" && pwd)"
stage="$(mktemp -d "${TMPDIR:-/tmp}/lh-agent-deb.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
root="$stage/lh-agent_${version}_${arch}"
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/lh-agent" "$root/usr/share/doc/lh-agent"
install -m 0755 "$binary" "$root/usr/bin/lh-agent"
install -m 0644 "$trust" "$root/etc/lh-agent/trust.json"
# The unit of agent/lh-agent.service, with the package's paths and its system user instead of a dynamic one.
sed -e 's#/usr/local/bin/lh-agent#/usr/bin/lh-agent#g' \
    -e 's#^DynamicUser=yes#User=lh-agent\nGroup=lh-agent#' \
    -e 's#^\# systemd unit for the LicenseHub agent daemon. Install the binary as /usr/local/bin/lh-agent, then:#\# systemd unit for the LicenseHub agent daemon (installed by the lh-agent package). Then:#' \
    "$here/../lh-agent.service" > "$root/lib/systemd/system/lh-agent.service"
chmod 0644 "$root/lib/systemd/system/lh-agent.service"
install -m 0644 "$here/../README.md" "$root/usr/share/doc/lh-agent/README.md"
echo "/etc/lh-agent/trust.json" > "$root/DEBIAN/conffiles"
size_kb="$(du -sk "$root" | cut -f1)"
cat > "$root/DEBIAN/control" <<CONTROL
Package: lh-agent
Version: $version
Architecture: $arch
Maintainer: LicenseHub <packages@licensehub.invalid>
Installed-Size: $size_kb
Depends: libc6, libssl3 | libssl3t64
Section: admin
Priority: optional
Description: LicenseHub license agent
 Activates a license on this server, checks in with the vendor's license server and keeps a
 signed token that the vendor's product verifies offline. Sends only a pseudonymous fingerprint
 and versions. Activate with: lh-agent activate KEY --server URL --product CODE
CONTROL
install -m 0755 "$here/deb/postinst" "$root/DEBIAN/postinst"
install -m 0755 "$here/deb/postrm" "$root/DEBIAN/postrm"
mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/lh-agent_${version}_${arch}.deb" >/dev/null
echo "$out/lh-agent_${version}_${arch}.deb"
