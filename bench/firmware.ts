// Booting through firmware (issue 18): the server profile's iso and raw
// images under SeaBIOS and under OVMF, wall time from QEMU's start to the
// first user output on the serial console (`exo run`, median of 3), each
// beside QEMU and the same firmware booting an "empty stub" of the same
// medium with the same QEMU flags (generator/run/qemu.ts qemuArgs): the
// smallest thing that firmware boots from it, which writes a marker to the
// serial port and ends QEMU. The target is within 1.5x of the stub: what
// exo adds (GRUB, the kernel, init) costs at most half what the firmware does.
//
// The stubs, built here with the tools exo already needs:
//   raw  a disk whose MBR boot sector (SeaBIOS) writes the marker and exits,
//        with one EFI system partition (OVMF) holding \EFI\BOOT\BOOTX64.EFI,
//        a PE/COFF application (clang + lld) that does the same: the layout
//        of exo's disk.raw (generator/image/raw.ts, mbr.ts)
//   iso  a CD whose El Torito catalogue has a no-emulation BIOS entry (the
//        same 16-bit code) and an EFI entry (a FAT image with the same
//        BOOTX64.EFI), made by xorriso as exo's exo.iso is
//
// Where the time goes (SeaBIOS, raw, an unloaded machine): SeaBIOS ~85 ms,
// GRUB's core image loaded, unpacked and started ~310 ms (mostly its size:
// multiboot2 needs linux, which needs normal), the search for grub.cfg
// ~45 ms, grub.cfg and loading the kernel and initrd ~90 ms, the kernel's own
// bring-up to init ~125 ms. Under OVMF the firmware's ~3.5 s dwarfs GRUB.
import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BootTarget, type Firmware, qemuArgs } from "../generator/run/qemu.ts";
import { masterBootRecord, SECTOR } from "../generator/image/mbr.ts";
import { ESP_TYPE, PARTITION_START } from "../generator/image/raw.ts";
import { median, REPO, type Row, timed as exo } from "./exo.ts";

/** What each stub writes on the serial port: its "first user output". */
export const STUB_MARKER = "exo-stub\n";
const COM1 = 0x3f8;
const DEBUG_EXIT = 0xf4; // isa-debug-exit (kernel-src/arch/x86_64): QEMU exits with (value << 1) | 1

/**
 * Real-mode code that works wherever it is loaded (no data, no jumps out):
 * cli; mov dx, COM1; for each byte: mov al, b; out dx, al; then
 * mov dx, DEBUG_EXIT; mov al, 0; out dx, al; 1: hlt; jmp 1b.
 */
export function realModeStub(marker = STUB_MARKER): Buffer {
  const code = [0xfa, 0xba, COM1 & 0xff, COM1 >> 8];
  for (const byte of Buffer.from(marker, "latin1")) code.push(0xb0, byte, 0xee);
  code.push(0xba, DEBUG_EXIT, 0x00, 0xb0, 0x00, 0xee, 0xf4, 0xeb, 0xfd);
  return Buffer.from(code);
}

/** The same as a UEFI application: port I/O works the same in long mode. */
const EFI_STUB_C = `// The smallest UEFI application exo's firmware bench boots: a marker on COM1, then QEMU's exit.
static inline void outb(unsigned short port, unsigned char value) { __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }
unsigned long long efi_main(void *image, void *system_table) {
  (void)image; (void)system_table;
  static const char marker[] = ${JSON.stringify(STUB_MARKER)};
  for (const char *p = marker; *p; p++) outb(${COM1}, (unsigned char)*p);
  outb(${DEBUG_EXIT}, 0);
  for (;;) __asm__ volatile("hlt");
}
`;

/** Build the stub raw disk and ISO in `dir`; returns their paths. */
export async function buildStubs(dir: string): Promise<{ raw: string; iso: string }> {
  const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  await writeFile(join(dir, "stub.c"), EFI_STUB_C);
  sh("clang", ["-target", "x86_64-unknown-windows", "-O2", "-ffreestanding", "-fno-stack-protector", "-mno-red-zone", "-fuse-ld=lld", "-nostdlib", "-Wl,-subsystem:efi_application", "-Wl,-entry:efi_main", "-o", "BOOTX64.EFI", "stub.c"]);
  // A FAT image holding \EFI\BOOT\BOOTX64.EFI: the raw disk's partition, and the CD's El Torito EFI image.
  const fat = (file: string, sectors: number, offsetArgs: string[] = []) => {
    sh("mformat", ["-C", "-T", String(sectors), "-h", "64", "-s", "32", ...offsetArgs, "-i", file, "::"]);
    sh("mmd", ["-i", file, "::/EFI", "::/EFI/BOOT"]);
    sh("mcopy", ["-i", file, "BOOTX64.EFI", "::/EFI/BOOT/BOOTX64.EFI"]);
  };
  const code = realModeStub();

  // raw: the stub's code in the MBR, then one EFI system partition, as exo's disk.raw.
  const partSectors = 16 * 2048;
  fat(join(dir, "esp.img"), partSectors, ["-H", String(PARTITION_START)]);
  const boot = Buffer.alloc(SECTOR);
  code.copy(boot);
  const mbr = masterBootRecord(boot, { partitionStart: PARTITION_START, partitionSectors: partSectors, diskSignature: 0x45584f53, partitionType: ESP_TYPE });
  const esp = await readFile(join(dir, "esp.img"));
  const disk = Buffer.alloc((PARTITION_START + partSectors) * SECTOR);
  mbr.copy(disk, 0);
  esp.copy(disk, PARTITION_START * SECTOR);
  const raw = join(dir, "stub.raw");
  await writeFile(raw, disk);

  // iso: a no-emulation El Torito BIOS image (4 sectors loaded, as exo's) and an EFI image.
  const tree = join(dir, "tree");
  await mkdir(join(tree, "boot"), { recursive: true });
  const eltorito = Buffer.alloc(2048);
  code.copy(eltorito);
  await writeFile(join(tree, "boot/stub.img"), eltorito);
  fat(join(tree, "efi.img"), 2880);
  const iso = join(dir, "stub.iso");
  sh("xorriso", ["-as", "mkisofs", "--boot-catalog-hide", "-b", "boot/stub.img", "-no-emul-boot", "-boot-load-size", "4", "--efi-boot", "efi.img", "-efi-boot-part", "--efi-boot-image", "--protective-msdos-label", "-r", "-V", "EXO_STUB", "-o", iso, tree]);
  return { raw, iso };
}

/** QEMU with exo's flags booting `target` under `firmware`: ms from its start until `marker` is on the serial console. */
export function timeToMarker(target: BootTarget, firmware: Firmware, marker = STUB_MARKER, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("qemu-system-x86_64", qemuArgs(target, { firmware }), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let at: number | undefined;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.setEncoding("latin1").on("data", (text: string) => {
      out += text;
      if (at === undefined && out.includes(marker)) at = performance.now() - started;
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => (err += text));
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      if (at === undefined) reject(new Error(`the ${target.kind} stub under ${firmware} never wrote its marker: ${err.trim() || JSON.stringify(out.slice(-200))}`));
      else resolve(Math.round(at));
    });
  });
}

const FIRMWARES = [
  { firmware: "bios", name: "SeaBIOS" },
  { firmware: "uefi", name: "OVMF" },
] as const;

export async function firmwareRows(dir: string): Promise<Row[]> {
  const rows: Row[] = [];
  const link = "result-firmware";
  exo(["build", join(REPO, "profiles/server.ts"), "--out-link", link], dir);
  const stubDir = await mkdtemp(join(tmpdir(), "exo-bench-stub-"));
  try {
    const stubs = await buildStubs(stubDir);
    for (const format of ["iso", "raw"] as const) {
      for (const { firmware, name } of FIRMWARES) {
        // Ours and the stub in turns, so that a change in the machine's load falls on both.
        const ours: number[] = [];
        const stub: number[] = [];
        for (let i = 0; i < 3; i++) {
          const r = exo(["run", link, "--format", format, "--firmware", firmware], dir);
          const ms = /first user output after (\d+) ms/.exec(r.stderr)?.[1];
          if (ms === undefined) throw new Error(`exo run --format ${format} --firmware ${firmware} printed no first-user-output time:\n${r.stderr}`);
          ours.push(Number(ms));
          stub.push(await timeToMarker({ kind: format, file: stubs[format] }, firmware));
        }
        const [a, b] = [median(ours), median(stub)];
        rows.push({
          name: `firmware: ${format} under ${name}, boot to first user output`,
          value: `${a} ms`,
          note: `empty ${format} stub under ${name}: ${b} ms; ${(a / b).toFixed(2)}x the stub; target within 1.5x (QEMU TCG, the same flags, median of 3)`,
        });
      }
    }
  } finally {
    await rm(stubDir, { recursive: true, force: true });
  }
  return rows;
}
