// arch/x86_64/boot.S: the multiboot headers and the 32-bit entry that builds
// the boot page tables (physical 0..1 GiB at 0 for the way in and at KERNBASE
// for good; W^X: only kernel text executes, and it is read-only), enables NX,
// enters long mode, jumps to the kernel's half and calls kmain (xv6-x86_64's
// entry.S).
import { emit, type Template } from "../../template.ts";
import type { Writer } from "../../writer.ts";

const source = "arch/x86_64/boot.ts";

/** Emit `label:` at the left margin and its instructions one level in. */
function label(w: Writer, name: string, body: () => void = () => {}): void {
  w.line(`${name}:`).indent(body);
}

function headers(w: Writer): void {
  w.comment(
    "Both headers come first in the image; arch/x86_64/linker.ld puts .multiboot at its start.",
    "Every address in them is physical: loaders run with paging off.",
  );
  w.line('.section .multiboot, "a"');
  w.indent(() => w.line(".p2align 2"));
  label(w, "mb1_header", () => {
    w.line(".long MB1_HEADER_MAGIC", ".long MB1_HEADER_FLAGS", ".long -(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)");
    w.comment("MB1_ADDRESSES: load [load_addr, load_end_addr) from the file, zero up to bss_end_addr.");
    w.line(
      ".long V2P_SYM(mb1_header)     /* header_addr */",
      ".long V2P_SYM(__image_start)  /* load_addr */",
      ".long V2P_SYM(__data_end)     /* load_end_addr */",
      ".long V2P_SYM(__bss_end)      /* bss_end_addr */",
      ".long V2P_SYM(_start)         /* entry_addr */",
    );
  });
  w.blank();
  w.indent(() => w.line(".p2align 3"));
  label(w, "mb2_header", () => {
    w.line(
      ".long MB2_HEADER_MAGIC",
      ".long MB2_ARCH_I386",
      ".long mb2_header_end - mb2_header",
      ".long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))",
    );
    w.comment("No tags but the end tag: GRUB loads the ELF itself, each segment at its p_paddr, and enters at e_entry translated the same way (linker.ld).");
    w.line(".short MB2_TAG_END", ".short 0", ".long 8");
  });
  label(w, "mb2_header_end");
}

/** The boot page tables' entries (byte offsets) that map the kernel's half: PML4[511] -> PDPT[510] is KERNBASE. */
const PML4_KERNEL = 511 * 8;
const PDPT_KERNEL = 510 * 8;

function entry32(w: Writer): void {
  w.comment(
    "The loader enters here in 32-bit protected mode, paging off, interrupts",
    "off, with its magic in EAX and its info pointer in EBX. Keep them in ESI",
    "and EBX, which nothing below touches but CPUID (EBX waits in EBP), for kmain.",
    "Until the jump to start64_high, code runs at its physical address: every",
    "symbol is reached through V2P_SYM.",
  );
  w.line(".text", ".code32", ".globl _start");
  label(w, "_start", () => {
    w.line("cli", "cld", "mov %eax, %esi");
    w.comment("The TSC at entry, for the boot_to_ready benchmark; EDX:EAX are free once EAX is in ESI.");
    w.line("rdtsc", "mov %eax, V2P_SYM(boot_cycles)", "mov %edx, V2P_SYM(boot_cycles) + 4", "mov $V2P_SYM(boot_stack_top), %esp");
    w.blank();
    w.comment("Zero BSS before using it: the page tables and the stack live there.");
    w.line("mov $V2P_SYM(__bss_start), %edi", "mov $V2P_SYM(__bss_end), %ecx", "sub %edi, %ecx", "xor %eax, %eax", "rep stosb");
    w.blank();
    w.comment(
      "pte_nx: PTE_NX if the CPU has the no-execute bit, else 0 (bit 63 would be",
      "reserved). CPUID_EXT_EDX_NX is bit 20; shifted by 11 it is PTE_NX_HI. Kept in EDX.",
    );
    w.line("mov %ebx, %ebp", "mov $CPUID_EXT, %eax", "cpuid", "mov %ebp, %ebx");
    w.line("and $CPUID_EXT_EDX_NX, %edx", "shl $11, %edx", "mov %edx, V2P_SYM(pte_nx) + 4");
    w.comment("The shifts here and before wrmsr below, checked against cpu.h's bits.");
    w.line(".if (CPUID_EXT_EDX_NX << 11) != PTE_NX_HI || (PTE_NX_HI << 32) != PTE_NX || (PTE_NX_HI >> 20) != EFER_NXE");
    w.line('.error "the no-execute bits of cpu.h do not match boot.S\'s shifts"', ".endif");
    w.blank();
    w.comment(
      "Map physical 0..1 GiB twice, through one page directory: at 0 (PML4[0] ->",
      "boot_pdpt_low[0], only until the jump to the kernel's half) and at KERNBASE",
      "(PML4[511] -> boot_pdpt[510], for good). The directory's first entry is a",
      "table of 4 KiB pages for the first 2 MiB (the image is there); the other",
      "511 are 2 MiB pages of data: writable, never executed.",
    );
    w.line(
      "movl $(V2P_SYM(boot_pdpt_low) + PTE_P + PTE_W), V2P_SYM(boot_pml4)",
      `movl $(V2P_SYM(boot_pdpt) + PTE_P + PTE_W), V2P_SYM(boot_pml4) + ${PML4_KERNEL}`,
      "movl $(V2P_SYM(boot_pd) + PTE_P + PTE_W), V2P_SYM(boot_pdpt_low)",
      `movl $(V2P_SYM(boot_pd) + PTE_P + PTE_W), V2P_SYM(boot_pdpt) + ${PDPT_KERNEL}`,
      "movl $(V2P_SYM(boot_pt) + PTE_P + PTE_W), V2P_SYM(boot_pd)",
    );
    w.line("mov $(V2P_SYM(boot_pd) + 8), %edi", "mov $(BOOT_PAGE_SIZE + PTE_P + PTE_W + PTE_PS), %eax", "mov $(BOOT_MAP_PAGES - 1), %ecx");
  });
  label(w, "1", () => {
    w.line("mov %eax, (%edi)", "mov %edx, 4(%edi)", "add $BOOT_PAGE_SIZE, %eax", "add $8, %edi", "loop 1b");
    w.blank();
    w.comment(
      "The first 2 MiB page by page, each with the rights of its segment (linker.ld):",
      "headers and rodata read-only, text read-execute, the rest read-write. Only",
      "text may execute, and it is not writable: no page is both (W^X). ECX and EBP",
      "build an entry's low and high halves; EAX is the page's physical address.",
    );
    w.line("mov $V2P_SYM(boot_pt), %edi", "xor %eax, %eax");
  });
  label(w, "2", () => {
    w.line("mov $(PTE_P + PTE_W), %ecx", "mov %edx, %ebp", "cmp $V2P_SYM(__image_start), %eax", "jb 4f");
    w.line("cmp $V2P_SYM(__text_start), %eax", "jb 3f /* headers and rodata */", "cmp $V2P_SYM(__text_end), %eax", "jae 4f /* data and bss */");
    w.line("xor %ebp, %ebp /* text: executable */");
  });
  label(w, "3", () => w.line("mov $PTE_P, %ecx /* read-only */"));
  label(w, "4", () => {
    w.line("or %eax, %ecx", "mov %ecx, (%edi)", "mov %ebp, 4(%edi)", "add $PGSIZE, %eax", "add $8, %edi", "cmp $BOOT_PAGE_SIZE, %eax", "jb 2b");
    w.blank();
    w.comment(
      "Long mode: PAE on, CR3 at the tables, EFER.LME set (and EFER.NXE when pte_nx",
      "is: PTE_NX_HI shifted right by 20 is EFER_NXE), then paging on, with CR0.WP",
      "so that read-only pages are read-only to the kernel too.",
    );
    w.line("mov $V2P_SYM(boot_pml4), %eax", "mov %eax, %cr3");
    w.line("mov %cr4, %eax", "or $CR4_PAE, %eax", "mov %eax, %cr4");
    w.line("mov $MSR_EFER, %ecx", "rdmsr", "or $EFER_LME, %eax", "mov V2P_SYM(pte_nx) + 4, %edi", "shr $20, %edi", "or %edi, %eax", "wrmsr");
    w.line("mov %cr0, %eax", "or $(CR0_PE + CR0_PG + CR0_WP), %eax", "mov %eax, %cr0");
    w.blank();
    w.comment("Still 32-bit code until CS holds a 64-bit segment: load the GDT (its physical copy of the pointer) and jump.");
    w.line("lgdt V2P_SYM(gdt64_ptr32)", "ljmp $SEG_KCODE, $V2P_SYM(start64)");
  });
}

function entry64(w: Writer): void {
  w.line(".code64");
  w.comment("64-bit, still at the physical address (the low map): jump to the kernel's half.");
  label(w, "start64", () => w.line("movabs $start64_high, %rax", "jmp *%rax"));
  w.comment(
    "From here on only the kernel's half is used: the GDT again at its high",
    "address (kmain drops the low map, vm_drop_low_map), the stack, kmain.",
  );
  label(w, "start64_high", () => {
    w.line("lgdt gdt64_ptr");
    w.line("mov $SEG_KDATA, %ax", "mov %ax, %ds", "mov %ax, %es", "mov %ax, %ss", "xor %eax, %eax", "mov %ax, %fs", "mov %ax, %gs");
    w.line("movabs $boot_stack_top, %rsp");
    w.comment("kmain(magic, info): the 32-bit moves zero the upper halves; info is physical. RBP 0 ends the backtrace.");
    w.line("mov %esi, %edi", "mov %ebx, %esi", "xor %ebp, %ebp", "call kmain");
  });
  w.comment("kmain does not return; if it ever does, stop here.");
  label(w, "2", () => w.line("cli", "hlt", "jmp 2b"));
}

function data(w: Writer): void {
  w.comment(
    "The GDT: null, 64-bit code, data. The accessed bits (0x9b, 0x93) are",
    "preset so the CPU never writes to this read-only table.",
  );
  w.line(".section .rodata");
  w.indent(() => w.line(".p2align 3"));
  label(w, "gdt64", () => w.line(".quad 0", ".quad 0x00af9b000000ffff", ".quad 0x00cf93000000ffff"));
  label(w, "gdt64_end");
  w.comment("lgdt in 32-bit mode reads the limit and a 4-byte base: the table's physical address.");
  label(w, "gdt64_ptr32", () => w.line(".word gdt64_end - gdt64 - 1", ".long V2P_SYM(gdt64)"));
  w.comment("In 64-bit mode, an 8-byte base: its address in the kernel's half.");
  label(w, "gdt64_ptr", () => w.line(".word gdt64_end - gdt64 - 1", ".quad gdt64"));
  w.blank();
  w.comment("In .data, not .bss: it is written before .bss is zeroed.");
  w.line(".data", ".globl boot_cycles");
  w.indent(() => w.line(".p2align 3"));
  label(w, "boot_cycles", () => w.line(".quad 0"));
  w.blank();
  w.comment(
    "Page tables (page-aligned, as CR3 and the entries require), pte_nx and the boot stack.",
    "boot_pml4 is the kernel's address space; its PML4[511] is every process's kernel half.",
  );
  w.line(".bss", ".globl boot_pml4", ".globl pte_nx");
  w.indent(() => w.line(".p2align 12"));
  label(w, "boot_pml4", () => w.line(".skip PGSIZE"));
  label(w, "boot_pdpt", () => w.line(".skip PGSIZE"));
  label(w, "boot_pdpt_low", () => w.line(".skip PGSIZE"));
  label(w, "boot_pd", () => w.line(".skip PGSIZE"));
  label(w, "boot_pt", () => w.line(".skip PGSIZE"));
  label(w, "pte_nx", () => w.line(".skip 8"));
  w.indent(() => w.line(".p2align 4"));
  label(w, "boot_stack", () => w.line(".skip BOOT_STACK_SIZE"));
  label(w, "boot_stack_top");
}

export const boot: Template = {
  source,
  render() {
    const summary = "Multiboot v1 and Multiboot2 headers, then the 32-bit entry at physical addresses: boot page tables (low map and KERNBASE) with W^X and NX, long mode, the jump to the kernel's half, a stack, kmain.";
    return emit({ source, path: "arch/x86_64/boot.S", summary, options: [] }, (w) => {
      w.line('#include "memlayout.h"', '#include "multiboot.h"', '#include "cpu.h"');
      w.blank();
      headers(w);
      w.blank();
      entry32(w);
      w.blank();
      entry64(w);
      w.blank();
      data(w);
    });
  },
};
