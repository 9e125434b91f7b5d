// Each port side by side (issue 16): the server profile built for x86_64,
// aarch64 and riscv64, with its kernel size, boot time to the first user
// output (median of 5, `exo run` of the kernel format; the raw disk under its
// firmware, median of 3) and the in-kernel benchmarks (`exo run --bench`, QEMU -icount: instruction counts, not cycles).
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { archs } from "../schemas/system.ts";
import { median, REPO, type Row, timed as exo } from "./exo.ts";

const profileOf = (arch: string): string => join(REPO, "profiles", arch === "x86_64" ? "server.ts" : `server-${arch}.ts`);

export async function archRows(dir: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const arch of archs) {
    const profile = profileOf(arch);
    const link = `result-${arch}`;
    exo(["build", profile, "--out-link", link], dir);
    const kernel = join(dir, link, "kernel/boot/kernel.elf");
    rows.push({ name: `${arch}: kernel.elf size`, value: `${(await stat(kernel)).size} B`, note: "the server profile; design limit 256 KiB" });
    const boots = [0, 1, 2, 3, 4].map(() => {
      const r = exo(["run", link, "--format", "kernel"], dir);
      return { user: Number(/first user output after (\d+) ms/.exec(r.stderr)?.[1] ?? NaN), exit: Number(/status \d+ after (\d+) ms/.exec(r.stderr)?.[1] ?? NaN) };
    });
    rows.push({ name: `${arch}: boot to first user output`, value: `${median(boots.map((b) => b.user))} ms`, note: "QEMU TCG -kernel, median of 5; design target < 300 ms" });
    rows.push({ name: `${arch}: boot to kernel exit`, value: `${median(boots.map((b) => b.exit))} ms`, note: "init starts and stops the services, then the kernel exits" });
    // The raw disk under the arch's default firmware (SeaBIOS + GRUB; U-Boot), and aarch64's under AAVMF too.
    for (const firmware of arch === "aarch64" ? ["uboot", "uefi"] : [undefined]) {
      const runs = [0, 1, 2].map(() => {
        const r = exo(["run", link, "--format", "raw", ...(firmware ? ["--firmware", firmware] : [])], dir);
        return { user: Number(/first user output after (\d+) ms/.exec(r.stderr)?.[1] ?? NaN), used: /\(raw, (\w+)\)/.exec(r.stderr)?.[1] ?? "?" };
      });
      rows.push({ name: `${arch}: raw image, ${runs[0]!.used}: boot to first user output`, value: `${median(runs.map((b) => b.user))} ms`, note: "QEMU TCG, the firmware and its boot menu included, median of 3" });
    }
    const bench = exo(["run", profile, "--bench"], dir);
    for (const m of bench.stdout.matchAll(/^EXO-BENCH (\S+) (\d+(?:\.\d+)?) (\S+)$/gm)) {
      rows.push({ name: `${arch}: kernel ${m[1]}`, value: `${m[2]} ${m[3]}`, note: "QEMU TCG -icount: an instruction clock, not real cycles" });
    }
  }
  return rows;
}
