#!/usr/bin/env bash
# Install everything Exo needs on a Debian machine, idempotently: the
# system packages (with apt-get, only those missing), the npm packages
# (npm ci, only when the lock file changed) and a signing key (only if
# there is none). With --boot, then build profiles/server.ts and boot it.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  clang lld                                   # the kernel's compiler and linker
  clang-format                                # holds the generated C to kernel-src/.clang-format (a test)
  llvm                                        # llvm-ar: the archive of a library package
  qemu-system-x86 qemu-system-arm qemu-system-misc   # x86_64, aarch64, riscv64 emulators
  grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools ovmf   # bootable images
  disorderfs                                  # tests: a store whose folders list in another order (FUSE)
  libclang-rt-14-dev                          # tests: AddressSanitizer for the kernel C compiled on the host
  musl-tools                                  # musl-gcc: packages with build.toolchain musl (Linux ABI programs)
  busybox-static                              # the reference unmodified static Linux binary (issue 15)
  qemu-efi-aarch64                            # AAVMF: UEFI firmware for aarch64 images
  opensbi u-boot-qemu                         # riscv64 firmware: OpenSBI (M-mode) and U-Boot (S-mode)
  docker-registry skopeo                      # tests: a real OCI registry (CNCF distribution) and an independent client
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi

if [ ! -f .exo/keys/exo-signing.key ]; then
  npx --no-install exo keygen >&2
fi

if [ "${1:-}" = "--boot" ]; then
  npx --no-install exo run profiles/server.ts
fi
