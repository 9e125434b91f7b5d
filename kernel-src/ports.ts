// Every port, by the arch it builds for: the one place an arch name picks code.
import type { Arch } from "../schemas/system.ts";
import { port as aarch64 } from "./arch/aarch64/index.ts";
import { port as riscv64 } from "./arch/riscv64/index.ts";
import { port as x86_64 } from "./arch/x86_64/index.ts";
import type { Port } from "./port.ts";

const ports: Record<Arch, Port> = { x86_64, aarch64, riscv64 };

/** The port of `arch`. */
export function portOf(arch: Arch): Port {
  return ports[arch];
}
