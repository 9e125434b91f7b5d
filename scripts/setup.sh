#!/usr/bin/env bash
# Install everything Exo needs on a Debian machine, idempotently: the
# system packages (with apt-get, only those missing), the npm packages
# (npm ci, only when the lock file changed), exo compiled ahead of time
# (only when its sources changed) and a signing key (only if there is
# none). With --boot, then build profiles/server.ts and boot it.
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

# exo compiled ahead of time into dist/ (scripts/build-cli.mjs), unless it is current.
node scripts/build-cli.mjs --if-stale

if [ ! -f .exo/keys/exo-signing.key ]; then
  npx --no-install exo keygen >&2
fi

# `exo` on PATH, as `npm link` would make it: a link to bin/exo.js in
# $EXO_BIN_DIR, else /usr/local/bin when this user may write there, else
# ~/.local/bin. A link of ours is re-pointed; anything else named exo is left alone.
bin_dir="${EXO_BIN_DIR:-}"
if [ -z "$bin_dir" ]; then
  if [ -w /usr/local/bin ]; then bin_dir=/usr/local/bin; else bin_dir="$HOME/.local/bin"; fi
fi
mkdir -p "$bin_dir"
shim="$bin_dir/exo"
if [ -e "$shim" ] && [ ! -L "$shim" ]; then
  echo "setup: $shim exists and is not a link; leaving it, use npx exo" >&2
elif [ -L "$shim" ] && [ "$(basename "$(readlink "$shim")")" != "exo.js" ]; then
  echo "setup: $shim links to $(readlink "$shim"), not to an exo checkout; leaving it, use npx exo" >&2
elif [ "$(readlink "$shim" 2>/dev/null)" != "$PWD/bin/exo.js" ]; then
  ln -sfn "$PWD/bin/exo.js" "$shim"
  case ":$PATH:" in *":$bin_dir:"*) ;; *) echo "setup: add $bin_dir to PATH to run exo directly" >&2 ;; esac
fi

if [ "${1:-}" = "--boot" ]; then
  npx --no-install exo run profiles/server.ts
fi
