// W^X in the kernel image: the kernel ELF has separate read-only,
// read-execute and read-write segments, page-aligned, none writable and
// executable, still loadable by Multiboot v1 (which copies the file as one
// blob by the header's addresses) and Multiboot2; and, booted, the kernel
// checks its own page tables and faults (the wx_* self-tests).
import test from "ava";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exo, profile, tempProject } from "../helpers/exo.ts";

const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;
const PAGE = 4096;

interface Segment {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  /** Where the loader puts it: the kernel is linked in the higher half and loaded low. */
  readonly paddr: number;
  readonly filesz: number;
  readonly memsz: number;
}

interface Elf {
  readonly entry: number;
  /** The entry point's physical address: in the segment holding it, as far past paddr as it is past vaddr. */
  readonly entryPaddr: number;
  readonly segments: readonly Segment[];
}

/** The entry point and program headers of a little-endian ELF64 file. */
function parseElf(file: Buffer): Elf {
  if (file.readUInt32BE(0) !== 0x7f454c46 || file[4] !== 2 || file[5] !== 1) throw new Error("not a little-endian ELF64 file");
  const big = (at: number): bigint => file.readBigUInt64LE(at);
  const u64 = (at: number): number => Number(big(at));
  const phoff = u64(32);
  const phentsize = file.readUInt16LE(54);
  const phnum = file.readUInt16LE(56);
  const segments = Array.from({ length: phnum }, (_, i): Segment => {
    const at = phoff + i * phentsize;
    return {
      type: file.readUInt32LE(at),
      flags: file.readUInt32LE(at + 4),
      offset: u64(at + 8),
      vaddr: u64(at + 16),
      paddr: u64(at + 24),
      filesz: u64(at + 32),
      memsz: u64(at + 40),
    };
  });
  const entry = big(24);
  const holder = Array.from({ length: phnum }, (_, i) => phoff + i * phentsize).find((at) => file.readUInt32LE(at) === PT_LOAD && entry >= big(at + 16) && entry < big(at + 16) + big(at + 40));
  const entryPaddr = holder === undefined ? -1 : Number(entry - big(holder + 16) + big(holder + 24));
  return { entry: Number(entry), entryPaddr, segments };
}

/** readelf's flag letters: "R E", "RW ". */
const rights = (flags: number): string => `${flags & PF_R ? "R" : " "}${flags & PF_W ? "W" : " "}${flags & PF_X ? "E" : " "}`;

/** The first offset of a 32-bit magic number in file[0, limit), at an `align` boundary, or -1. */
function findMagic(file: Buffer, magic: number, limit: number, align: number): number {
  for (let at = 0; at + 4 <= Math.min(limit, file.length); at += align) if (file.readUInt32LE(at) === magic) return at;
  return -1;
}

/** The kernel.elf of a profile's build. Only the kernel derivation matters here, not the rest of the image. */
async function buildKernel(file: string): Promise<Buffer> {
  const dir = await tempProject({ sharedStore: true });
  const r = await exo(["build", file, "--json", "--no-sign", "--no-link"], { cwd: dir });
  const events = r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { id?: string; path?: string });
  const kernel = events.find((e) => e.id === "kernel" && e.path !== undefined);
  if (kernel?.path === undefined) throw new Error(`exo build made no kernel (status ${r.code}): ${r.stderr}`);
  return readFile(join(dir, "store/v1/paths", kernel.path, "kernel.elf"));
}

test("the server kernel ELF has R, RX and RW segments, page-aligned, none writable and executable", async (t) => {
  const loads = parseElf(await buildKernel(profile("server.ts"))).segments.filter((s) => s.type === PT_LOAD);
  t.log(loads.map((s) => `LOAD off 0x${s.offset.toString(16)} vaddr 0x${s.vaddr.toString(16)} filesz 0x${s.filesz.toString(16)} memsz 0x${s.memsz.toString(16)} ${rights(s.flags)}`).join("\n"));
  const flags = loads.map((s) => s.flags);
  t.true(flags.includes(PF_R), "a read-only segment");
  t.true(flags.includes(PF_R | PF_X), "a read-execute segment");
  t.true(flags.includes(PF_R | PF_W), "a read-write segment");
  for (const s of loads) {
    t.false((s.flags & PF_W) !== 0 && (s.flags & PF_X) !== 0, `segment at 0x${s.vaddr.toString(16)} is ${rights(s.flags)}`);
    t.is(s.vaddr % PAGE, 0, `segment at 0x${s.vaddr.toString(16)} starts a page`);
    t.is(s.offset % PAGE, 0, `segment at 0x${s.vaddr.toString(16)} starts a page of the file`);
  }
  // No page holds two segments: each starts past the last page of the one before.
  const sorted = [...loads].sort((a, b) => a.vaddr - b.vaddr);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    t.true(sorted[i]!.vaddr >= Math.ceil((prev.vaddr + prev.memsz) / PAGE) * PAGE, `segment ${i} shares a page with segment ${i - 1}`);
  }
});

test("Multiboot v1's address fields still describe the file, and the Multiboot2 header is in place", async (t) => {
  const file = await buildKernel(profile("server.ts"));
  const elf = parseElf(file);
  const loads = elf.segments.filter((s) => s.type === PT_LOAD).sort((a, b) => a.vaddr - b.vaddr);
  const first = loads[0]!;
  const last = loads[loads.length - 1]!;
  // The v1 loader copies [load_addr, load_end_addr) from the file as one blob: offsets must be linear in addresses.
  for (const s of loads) t.is(s.offset - s.vaddr, first.offset - first.vaddr, `segment at 0x${s.vaddr.toString(16)} breaks the linear file layout`);
  for (const s of loads.slice(0, -1)) t.is(s.filesz, s.memsz, `only the last segment may have bss (0x${s.vaddr.toString(16)})`);

  const mb1 = findMagic(file, 0x1badb002, 8192, 4);
  t.true(mb1 >= 0, "the Multiboot v1 header is in the first 8 KiB");
  const [, mb1Flags, checksum, headerAddr, loadAddr, loadEndAddr, bssEndAddr, entryAddr] = Array.from({ length: 8 }, (_, i) => file.readUInt32LE(mb1 + 4 * i));
  t.is((0x1badb002 + mb1Flags! + checksum!) >>> 0, 0, "checksum");
  t.true((mb1Flags! & 0x10000) !== 0, "MB1_ADDRESSES is set");
  t.is(mb1 - (headerAddr! - loadAddr!), first.offset, "the loader finds load_addr at the first segment's file offset");
  // The v1 fields are physical: where the loader copies the image (the kernel runs it in the higher half).
  t.is(loadAddr, first.paddr);
  t.is(loadEndAddr, last.paddr + last.filesz);
  t.is(bssEndAddr, last.paddr + last.memsz);
  t.is(entryAddr, elf.entryPaddr);
  t.true(loads.some((s) => (s.flags & PF_X) !== 0 && elf.entryPaddr >= s.paddr && elf.entryPaddr < s.paddr + s.filesz), "the entry point is in the executable segment");

  t.true(findMagic(file, 0xe85250d6, 32768, 8) >= 0, "the Multiboot2 header is in the first 32 KiB, 8-byte aligned");
});

test("booted, the kernel finds NX on, text read-execute, everything else no-execute, and faults on writing text or running data", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  const fixture = fileURLToPath(new URL("../kernel/fixtures/server-selftest.ts", import.meta.url));
  const r = await exo(["run", fixture, "--selftest", "--timeout", "60"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  const line = (name: string): string | undefined => new RegExp(`^EXO-TEST ${name} (ok|FAIL).*$`, "m").exec(r.stdout)?.[0];
  t.regex(line("wx_kernel") ?? "missing", /^EXO-TEST wx_kernel ok EFER\.NXE, CR0\.WP; .* pages executable \d+, writable \d+, both 0$/);
  t.regex(line("wx_faults") ?? "missing", /^EXO-TEST wx_faults ok #PF writing text and rodata, calling into data and heap$/);
  t.regex(line("wx_user") ?? "missing", /^EXO-TEST wx_user ok bin\/usertest: code pages [1-9]\d* RX, data pages [1-9]\d* RW NX; a W\+X segment: -ENOEXEC$/);
});
