// Run a static x86_64 program under Debian's Linux inside QEMU, never on the
// host: `npx tsx bench/linux-run.ts PROGRAM [ARG...]`. It is placed at
// /exo/bin/<name> beside busybox (/exo/bin/true), run once by /init, and the
// guest powers off; the serial console goes to stdout. For trying programs
// such as the syscall fuzzer against Linux before Exo runs them.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { bootLinux } from "./linux-peer.ts";

const [program, ...args] = process.argv.slice(2);
if (!program || program === "--help") {
  process.stdout.write("usage: npx tsx bench/linux-run.ts PROGRAM [ARG...]   (env TIMEOUT=seconds, default 300; ICOUNT=1 for -icount)\n");
  process.exit(program ? 0 : 1);
}
const name = basename(program);
const quoted = [`/exo/bin/${name}`, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
const r = await bootLinux({
  programs: { [name]: await readFile(program) },
  commands: [quoted],
  timeoutMs: Number(process.env.TIMEOUT ?? 300) * 1000,
  icount: process.env.ICOUNT === "1",
  onOutput: (text) => process.stdout.write(text),
});
process.stderr.write(`\nlinux-run: Debian Linux ${r.kernel.release} (${r.kernel.version}), ${r.wallMs} ms${r.timedOut ? ", timed out" : ""}\n`);
process.exit(r.timedOut ? 1 : 0);
