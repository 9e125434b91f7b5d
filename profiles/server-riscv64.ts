// The server profile on riscv64 (QEMU virt): the same kernel options, services
// and packages, cross-compiled; the formats this arch boots (raw under U-Boot).
import { defineProfile, mkForce } from "exo";
import server from "./server.ts";

export default defineProfile({
  imports: [server],
  config: {
    system: { name: mkForce("server-riscv64"), arch: mkForce("riscv64") },
    image: { formats: mkForce(["bundle", "kernel", "raw"]) },
  },
});
