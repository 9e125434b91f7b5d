// Project settings: where the store lives, which keys sign and which are trusted, the toolchain.
import { defineConfig } from "exo";

export default defineConfig({
  store: ".exo/store",
  keys: {
    secretKey: ".exo/keys/exo-signing.key",
    trusted: [".exo/keys/exo-signing.pub"],
  },
  toolchain: { clang: "clang", lld: "ld.lld" },
  qemu: { x86_64: "qemu-system-x86_64", aarch64: "qemu-system-aarch64", riscv64: "qemu-system-riscv64" },
});
