// arch/riscv64/boot.S: the Linux RISC-V Image header and the entry OpenSBI
// (fw_dynamic) jumps to in S-mode, MMU off, a0 = hart id, a1 = the device
// tree's physical address. It zeroes BSS, has vm.c's boot_map build the boot
// page tables (code built -mcmodel=medany reaches every symbol PC-relatively,
// so it runs at physical addresses), turns Sv39 on, jumps to the image's link
// address in the kernel's half and calls kmain(BOOT_MAGIC, device tree).
import { emit, type Template } from "../../template.ts";
import type { Writer } from "../../writer.ts";

const source = "arch/riscv64/boot.ts";

function label(w: Writer, name: string, body: () => void = () => {}): void {
  w.line(`${name}:`).indent(body);
}

/** The 64-byte header (Linux's Documentation/riscv/boot-image-header.rst). */
function header(w: Writer): void {
  w.comment(
    "The Image header, the file's first 64 bytes: code0/code1 jump to the entry,",
    "then text_offset, image_size, flags (little-endian), version 0.2 and the",
    "magic numbers. norvc: the jump must take exactly code0's 4 bytes. QEMU's",
    "-kernel loads the Image at KERNEL_LOAD_ADDR whatever text_offset says;",
    "U-Boot's booti moves it to RAM's start plus text_offset, the same place.",
  );
  w.line('.section .head.text, "ax"', ".globl _start", ".option push", ".option norvc");
  label(w, "_start", () => {
    w.line("j boot_entry            /* code0 */", ".word 0                 /* code1 */");
    w.line(".quad KERNEL_LOAD_ADDR - RAM_BASE /* text_offset: U-Boot's booti puts the Image there above RAM's start */");
    w.line(".quad __image_size      /* image_size: the image with its BSS (linker.ld) */");
    w.line(".quad 0                 /* flags: little-endian */");
    w.line(".word 2                 /* version 0.2 */", ".word 0                 /* res1 */", ".quad 0                 /* res2 */");
    w.line('.ascii "RISCV\\0\\0\\0"    /* magic (deprecated) */', '.ascii "RSC\\x05"         /* magic2 */', ".word 0                 /* res3 */");
  });
  w.line(".option pop");
}

function entry(w: Writer): void {
  w.comment(
    "S-mode, MMU off, interrupts off. s0 keeps the device tree. Until the jump",
    "to boot_high, code runs at physical addresses: lla (PC-relative) gives them.",
  );
  label(w, "boot_entry", () => {
    w.line("csrw sie, zero", "mv s0, a1");
    w.comment("The time at entry, for the boot_to_ready benchmark (boot_cycles is in .data, which is not zeroed).");
    w.line("rdcycle t0", "lla t1, boot_cycles", "sd t0, 0(t1)");
    w.comment("The image is linked for KERNEL_LOAD_ADDR: anywhere else, say so through the SBI console and stop.");
    w.line("lla t0, _start", "li t1, KERNEL_LOAD_ADDR", "bne t0, t1, boot_misplaced");
    w.line("lla sp, boot_stack_top");
    w.comment("Zero BSS: the page tables and the stack live there.");
    w.line("lla t0, __bss_start", "lla t1, __bss_end");
  });
  label(w, "1", () => w.line("bgeu t0, t1, 2f", "sd zero, 0(t0)", "addi t0, t0, 8", "j 1b"));
  label(w, "2", () => {
    w.comment("boot_map returns the root table's physical address; satp takes its page number.");
    w.line("call boot_map", "srli a0, a0, 12", "li t0, SATP_SV39", "or a0, a0, t0", "sfence.vma zero, zero", "csrw satp, a0", "sfence.vma zero, zero");
    w.comment("Paging is on; this code is still reached through boot_map's identity map. Go to the kernel's half.");
    w.line("ld t0, boot_high_addr", "jr t0");
  });
  w.blank();
  w.comment("In the kernel's half: lla gives link addresses now. kmain(BOOT_MAGIC, device tree); s0 0 ends backtraces.");
  label(w, "boot_high", () => {
    w.line("lla sp, boot_stack_top", "mv a1, s0", "li a0, BOOT_MAGIC", "li s0, 0", "li ra, 0", "call kmain");
  });
  w.comment("kmain does not return; if it ever does, stop here.");
  label(w, "3", () => w.line("wfi", "j 3b"));
  w.blank();
  w.comment("Loaded somewhere else: the SBI's legacy console_putchar (extension 1) prints why, then stop.");
  label(w, "boot_misplaced", () => w.line("lla s1, boot_misplaced_msg"));
  label(w, "4", () => w.line("lbu a0, 0(s1)", "beqz a0, 3b", "li a7, 1", "ecall", "addi s1, s1, 1", "j 4b"));
}

function data(w: Writer): void {
  w.line(".section .rodata", ".p2align 3");
  w.comment("boot_high's link address, read PC-relatively before the jump.");
  label(w, "boot_high_addr", () => w.line(".quad boot_high"));
  label(w, "boot_misplaced_msg", () => w.line('.asciz "exo: the Image must be loaded at KERNEL_LOAD_ADDR (0x80200000)\\n"'));
  w.blank();
  w.comment("In .data, not .bss: it is written before .bss is zeroed.");
  w.line(".data", ".globl boot_cycles", ".p2align 3");
  label(w, "boot_cycles", () => w.line(".quad 0"));
  w.blank();
  w.line(".bss", ".p2align 4");
  label(w, "boot_stack", () => w.line(".skip BOOT_STACK_SIZE"));
  label(w, "boot_stack_top");
}

export const boot: Template = {
  source,
  render() {
    const summary = "The Image header and the entry from OpenSBI: BSS zeroed, boot page tables (boot_map), Sv39 on, the jump to the kernel's half, kmain.";
    return emit({ source, path: "arch/riscv64/boot.S", summary, options: [] }, (w) => {
      w.line('#include "memlayout.h"', '#include "riscv.h"');
      w.blank();
      header(w);
      w.blank();
      w.line(".text");
      entry(w);
      w.blank();
      data(w);
    });
  },
};
