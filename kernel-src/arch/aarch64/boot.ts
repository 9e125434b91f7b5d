// arch/aarch64/boot.S: the arm64 Linux Image header and the entry QEMU's
// -kernel (or U-Boot's booti) jumps to with the MMU off and x0 = the device
// tree's physical address: drop from EL2 to EL1 if need be, find where the
// image was loaded (any 2 MiB boundary of the direct map's RAM), zero bss,
// build the boot translation tables (TTBR1: physical 0..2 GiB at KERNBASE,
// devices then RAM, and the image at KIMAGE_BASE; the image's 2 MiB in 4 KiB
// pages with its segments' rights, one table for both views; TTBR0: an
// identity map of RAM for the way in), turn the MMU on, jump to the kernel's
// half and call kmain. Everything before the MMU is on is PC-relative.
import { emit, type Template } from "../../template.ts";

const source = "arch/aarch64/boot.ts";

/** Image header flags: little-endian (bit 0 clear), 4 KiB pages (bits 1-2 = 1), placeable at any 2 MiB boundary of RAM (bit 3). */
const IMAGE_FLAGS = 0xa;
/** "ARM\x64", little-endian, at offset 0x38. */
const IMAGE_MAGIC = 0x644d5241;

/** PE/COFF numbers (the PE format's IMAGE_FILE_MACHINE_ARM64, IMAGE_FILE_*, IMAGE_SCN_* and so on). */
const PE_MACHINE_ARM64 = 0xaa64;
/** EXECUTABLE_IMAGE | LINE_NUMS_STRIPPED | DEBUG_STRIPPED. */
const PE_FILE_FLAGS = 0x206;
const PE32PLUS = 0x20b;
const PE_SUBSYSTEM_EFI_APPLICATION = 10;
const PE_DLL_NX_COMPAT = 0x100;
/** CNT_CODE | MEM_EXECUTE | MEM_READ. */
const PE_SCN_TEXT = 0x60000020;
/** CNT_INITIALIZED_DATA | MEM_READ. */
const PE_SCN_RODATA = 0x40000040;
/** CNT_INITIALIZED_DATA | MEM_READ | MEM_WRITE. */
const PE_SCN_DATA = 0xc0000040;

const hex = (n: number): string => `0x${n.toString(16)}`;

export const boot: Template = {
  source,
  render() {
    const summary =
      "The arm64 Image header, then the entry at physical addresses: EL2 to EL1, bss, boot translation tables with W^X, the MMU, the jump to the kernel's half, a stack, the exception vectors, kmain.";
    return emit({ source, path: "arch/aarch64/boot.S", summary, options: [] }, (w) => {
      w.line('#include "memlayout.h"', '#include "cpu.h"');
      w.blank();
      w.line("#define NORMAL_RW (PTE_VALID | PTE_NORMAL | PTE_SH_INNER | PTE_AF | PTE_PXN | PTE_UXN)");
      w.line("#define NORMAL_RX (PTE_VALID | PTE_NORMAL | PTE_SH_INNER | PTE_AF | PTE_RDONLY | PTE_UXN)");
      w.line("#define NORMAL_RO (PTE_VALID | PTE_NORMAL | PTE_SH_INNER | PTE_AF | PTE_RDONLY | PTE_PXN | PTE_UXN)");
      w.line("#define DEVICE_RW (PTE_VALID | PTE_DEVICE | PTE_AF | PTE_PXN | PTE_UXN)");
      w.line("#define TCR_VALUE (TCR_T0SZ | TCR_IRGN0_WB | TCR_ORGN0_WB | TCR_SH0_INNER | TCR_TG0_4K | TCR_T1SZ | TCR_IRGN1_WB | TCR_ORGN1_WB | TCR_SH1_INNER | TCR_TG1_4K)");
      w.line("#define SCTLR_VALUE (SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_SA0 | SCTLR_I | SCTLR_DZE | SCTLR_UCT | SCTLR_NTWI | SCTLR_NTWE | SCTLR_WXN)");
      w.blank();
      w.comment(
        "The Image header (Linux's Documentation/arch/arm64/booting.rst): the loader reads it",
        "and enters at its first word. It doubles as the MS-DOS stub of a PE/COFF image, so that",
        "UEFI firmware can start the same file as an EFI application (efi.c): code0 starts with",
        "\"MZ\" (an instruction that changes only the flags), and res5, at offset 0x3c, is",
        "e_lfanew, the offset of the PE header below.",
      );
      w.c`
        .section .text.head, "ax"
        .globl _start
        _start:
            ccmp x18, #0, #0xd, pl      /* code0: "MZ" as an instruction, a no-op here */
            b primary_entry             /* code1 */
            .quad 0                     /* text_offset: at a 2 MiB boundary */
            .quad __image_size          /* image_size, bss included (linker.ld) */
            .quad ${`0x${IMAGE_FLAGS.toString(16)}`}                   /* flags: little-endian, 4 KiB pages, anywhere */
            .quad 0, 0, 0               /* res2-res4 */
            .long ${`0x${IMAGE_MAGIC.toString(16)}`}            /* magic: "ARM\x64" */
            .long pe_header - _start    /* res5: the PE header's offset */
      `;
      w.blank();
      w.comment(
        "The PE32+ header UEFI loads the image by: three sections that are the ELF's segments",
        "(text read-execute, rodata read-only, data and bss read-write), each at its offset in",
        "the file (RVA = file offset, so the loaded image is the Image as linked), the headers",
        "alone in the first page. No relocations: the stub is PC-relative, and ImageBase 0 lets",
        "the firmware put it anywhere. Sizes and offsets come from linker.ld.",
      );
      w.c`
            .p2align 3
        pe_header:
            .ascii "PE\0\0"
            .short ${hex(PE_MACHINE_ARM64)}               /* Machine: ARM64 */
            .short 3                    /* NumberOfSections */
            .long 0                     /* TimeDateStamp: none, the build is reproducible */
            .long 0, 0                  /* PointerToSymbolTable, NumberOfSymbols */
            .short section_table - optional_header
            .short ${hex(PE_FILE_FLAGS)}                /* Characteristics: executable image, no line numbers, no debug info */
        optional_header:
            .short ${hex(PE32PLUS)}                /* Magic: PE32+ */
            .byte 0, 0                  /* linker version */
            .long __pe_text_size        /* SizeOfCode */
            .long __pe_init_size        /* SizeOfInitializedData: rodata and data */
            .long 0                     /* SizeOfUninitializedData: bss is in .data's VirtualSize */
            .long __pe_entry            /* AddressOfEntryPoint: efi_main */
            .long __pe_head_size        /* BaseOfCode */
            .quad 0                     /* ImageBase */
            .long PGSIZE                /* SectionAlignment */
            .long PGSIZE                /* FileAlignment */
            .short 0, 0, 0, 0, 0, 0     /* OS, image and subsystem versions */
            .long 0                     /* Win32VersionValue */
            .long __image_size          /* SizeOfImage */
            .long __pe_head_size        /* SizeOfHeaders */
            .long 0                     /* CheckSum */
            .short ${PE_SUBSYSTEM_EFI_APPLICATION}                   /* Subsystem: EFI application */
            .short ${hex(PE_DLL_NX_COMPAT)}                /* DllCharacteristics: NX compatible (W^X sections) */
            .quad 0, 0, 0, 0            /* stack and heap reserve and commit */
            .long 0                     /* LoaderFlags */
            .long 6                     /* NumberOfRvaAndSizes: ... */
            .quad 0, 0, 0, 0, 0, 0      /* ... export, import, resource, exception, certificate and base relocation tables: none */
        section_table:
            .ascii ".text\0\0\0"
            .long __pe_text_size, __pe_head_size, __pe_text_size, __pe_head_size /* VirtualSize, VirtualAddress, SizeOfRawData, PointerToRawData */
            .long 0, 0                  /* PointerToRelocations, PointerToLinenumbers */
            .short 0, 0                 /* NumberOfRelocations, NumberOfLinenumbers */
            .long ${hex(PE_SCN_TEXT)}            /* Characteristics: code, execute, read */
            .ascii ".rodata\0"
            .long __pe_rodata_size, __pe_rodata_rva, __pe_rodata_size, __pe_rodata_rva
            .long 0, 0
            .short 0, 0
            .long ${hex(PE_SCN_RODATA)}            /* initialised data, read */
            .ascii ".data\0\0\0"
            .long __pe_data_size, __pe_data_rva, __pe_data_file_size, __pe_data_rva /* VirtualSize covers bss, the firmware zeroes it */
            .long 0, 0
            .short 0, 0
            .long ${hex(PE_SCN_DATA)}            /* initialised data, read, write */
            .p2align PGSHIFT            /* the headers end here, a page (__pe_head_size) */
      `;
      w.blank();
      w.comment(
        "MMU off, interrupts masked, x0 the device tree (kept in x19 for kmain); x1 and x2",
        "the initrd when the EFI stub came first, else 0 (kept in x22 and x23). Until the",
        "jump to start_high, code runs at its physical address: symbols' addresses come",
        "from ADRP/ADR, which are PC-relative (LDR = gives constants, and start_high's link",
        "address for the jump).",
      );
      w.c`
        .text
        primary_entry:
            mov x19, x0
            mov x22, x1
            mov x23, x2
            mrs x0, CurrentEL
            lsr x20, x0, #2             /* the EL we came in at, for boot_el */
            cmp x20, #2
            b.ne at_el1
            /* EL2 (-M virt,virtualization=on, or firmware): EL1 is AArch64 and may use the timers and the PMU; drop to it. */
            mov x0, #HCR_RW
            msr hcr_el2, x0
            mov x0, #3                  /* CNTHCTL_EL2.EL1PCTEN | EL1PCEN */
            msr cnthctl_el2, x0
            msr cntvoff_el2, xzr
            mrs x0, pmcr_el0            /* MDCR_EL2: every PMU counter EL1's (HPMN = PMCR.N), no PMU traps */
            ubfx x0, x0, #11, #5
            msr mdcr_el2, x0
            ldr x0, =SCTLR_RES1         /* MMU off at EL1 too */
            msr sctlr_el1, x0
            mov x0, #SPSR_EL1H_MASKED
            msr spsr_el2, x0
            adr x0, at_el1
            msr elr_el2, x0
            eret
        at_el1:
            msr daifset, #0xf
            /* x21: where the image is, which must start a 2 MiB block of the direct map's RAM (see wrong_place). */
            adr x21, _start
            tst x21, #(BOOT_PAGE_SIZE - 1)
            b.ne wrong_place
            mov x1, #RAM_BASE
            cmp x21, x1
            b.lo wrong_place
            ldr x1, =(DIRECT_MAP_SIZE - BOOT_PAGE_SIZE)
            cmp x21, x1
            b.hi wrong_place

            /* Zero bss before using it: the tables and the stack live there. */
            adrp x0, __bss_start
            add x0, x0, :lo12:__bss_start
            adrp x1, __bss_end
            add x1, x1, :lo12:__bss_end
        1:  cmp x0, x1
            b.hs 2f
            str xzr, [x0], #8
            b 1b

            /* TTBR1: L0[0] -> L1; L1[0] the first GiB as devices; L1[1] -> L2, the RAM GiB in 2 MiB blocks, read-write, never executed. */
        2:  adrp x0, boot_l0_high
            adrp x1, boot_l1_high
            orr x2, x1, #(PTE_VALID | PTE_TABLE)
            str x2, [x0]
            ldr x2, =DEVICE_RW
            str x2, [x1]
            adrp x3, boot_l2_high
            orr x2, x3, #(PTE_VALID | PTE_TABLE)
            str x2, [x1, #8]
            ldr x2, =(RAM_BASE | NORMAL_RW)
            mov x4, #0
        3:  str x2, [x3, x4, lsl #3]
            add x2, x2, #BOOT_PAGE_SIZE
            add x4, x4, #1
            cmp x4, #512
            b.lo 3b

            /* The image's block page by page, each with the rights of its segment (linker.ld): text read-execute,
               rodata read-only, the rest read-write; only text executes, and it is not writable (W^X). One table
               for both views: the direct map's entry of the image's block, and KIMAGE_BASE (L0[256] -> L1 -> L2). */
            adrp x5, boot_l3_image
            orr x2, x5, #(PTE_VALID | PTE_TABLE)
            mov x1, #RAM_BASE
            sub x4, x21, x1
            lsr x4, x4, #21             /* BOOT_PAGE_SIZE is 1 << 21 */
            str x2, [x3, x4, lsl #3]
            adrp x8, boot_l2_image
            str x2, [x8]
            adrp x1, boot_l1_image
            orr x2, x8, #(PTE_VALID | PTE_TABLE)
            str x2, [x1]
            orr x2, x1, #(PTE_VALID | PTE_TABLE)
            str x2, [x0, #((KIMAGE_BASE >> 39) & 511) * 8]
            adrp x6, __text_end
            adrp x7, __rodata_end
            mov x9, x21
            mov x4, #0
        4:  ldr x2, =NORMAL_RW
            cmp x9, x7
            b.hs 5f
            ldr x2, =NORMAL_RO
            cmp x9, x6
            b.hs 5f
            ldr x2, =NORMAL_RX
        5:  orr x2, x2, x9
            orr x2, x2, #PTE_TABLE      /* a level-3 page */
            str x2, [x5, x4, lsl #3]
            add x9, x9, #PGSIZE
            add x4, x4, #1
            cmp x4, #512
            b.lo 4b

            /* Where the image is, for V2P (memlayout.h), and the stub's initrd; .data, written after bss is zeroed. */
            adrp x0, kimage_phys
            str x21, [x0, :lo12:kimage_phys]
            adrp x0, boot_initrd
            str x22, [x0, :lo12:boot_initrd]
            adrp x0, boot_initrd_len
            str x23, [x0, :lo12:boot_initrd_len]

            /* TTBR0, only for the way in: RAM's GiB at its own address, read-only and executable (WXN). */
            adrp x0, boot_l0_low
            adrp x1, boot_l1_low
            orr x2, x1, #(PTE_VALID | PTE_TABLE)
            str x2, [x0]
            ldr x2, =(RAM_BASE | NORMAL_RX)
            str x2, [x1, #8]

            /* Attributes, translation control (IPS: the CPU's physical address size), the tables, then the MMU. */
            dsb sy
            ldr x0, =MAIR_VALUE
            msr mair_el1, x0
            mrs x1, id_aa64mmfr0_el1
            and x1, x1, #7
            ldr x0, =TCR_VALUE
            orr x0, x0, x1, lsl #TCR_IPS_SHIFT
            msr tcr_el1, x0
            adrp x0, boot_l0_low
            msr ttbr0_el1, x0
            adrp x0, boot_l0_high
            msr ttbr1_el1, x0
            isb
            tlbi vmalle1
            dsb nsh
            ldr x0, =SCTLR_VALUE
            msr sctlr_el1, x0
            isb
            ldr x0, =start_high
            br x0
      `;
      w.blank();
      w.comment(
        "From here on the kernel's half: the boot stack, the exception vectors, EL0's",
        "access to the counters, FP/SIMD trapping until fpu_init decides, the cycle",
        "counter, then kmain(BOOT_MAGIC_DTB, the device tree). x29 0 ends backtraces.",
      );
      w.c`
        start_high:
            ldr x0, =boot_stack_top
            mov sp, x0
            ldr x0, =vectors
            msr vbar_el1, x0
            mov x0, #CNTKCTL_EL0VCTEN
            msr cntkctl_el1, x0
            msr cpacr_el1, xzr
            /* The PMU's cycle counter: arch_cycles, and the SDK's cycles() at EL0. */
            msr pmccfiltr_el0, xzr      /* counts at EL0 and EL1 */
            mov x0, #PMCR_E_C_LC
            msr pmcr_el0, x0
            mov x0, #PMCNTEN_C
            msr pmcntenset_el0, x0
            mov x0, #PMUSERENR_EN_CR
            msr pmuserenr_el0, x0
            isb
            mrs x0, pmccntr_el0
            ldr x1, =boot_cycles
            str x0, [x1]
            ldr x1, =boot_el
            str x20, [x1]
            ldr w0, =BOOT_MAGIC_DTB
            mov x1, x19
            mov x29, #0
            mov x30, #0
            bl kmain
        6:  wfi
            b 6b
      `;
      w.blank();
      w.comment(
        "Loaded off a 2 MiB boundary, or outside the RAM the direct map covers (QEMU",
        "virt's first GiB of it): say so on the PL011, still at its physical address, and",
        "power off through PSCI.",
      );
      w.c`
        wrong_place:
            ldr x1, =UART_PHYS
            adr x2, wrong_msg
        7:  ldrb w3, [x2], #1
            cbz w3, 8f
            str w3, [x1]
            b 7b
        8:  ldr x0, =0x84000008         /* PSCI SYSTEM_OFF */
            cmp x20, #2
            b.eq 10f
            hvc #0
        10: smc #0
        9:  wfi
            b 9b
        wrong_msg:
            .asciz "\nexo: the Image must start a 2 MiB block in the first GiB of RAM; refusing to start\n"
            .p2align 2
      `;
      w.blank();
      w.comment(
        "efi.c's last step, after ExitBootServices, run from the image the firmware loaded",
        "(identity-mapped): x0 the Image's copy (at a 2 MiB boundary), x1 the device tree, x2",
        "and x3 the initrd. Interrupts masked, the MMU and the caches off at the EL the firmware",
        "ran at (efi.c cleaned everything to the point of coherency), then the copy's entry as a",
        "loader enters it, with the initrd in x1 and x2. Registers only: no stack.",
      );
      w.c`
        .text
        .globl efi_enter_image
        efi_enter_image:
            msr daifset, #0xf
            mov x19, x0
            mrs x4, CurrentEL
            cmp x4, #(2 << 2)
            b.ne 11f
            mrs x4, sctlr_el2
            bic x4, x4, #SCTLR_M
            bic x4, x4, #SCTLR_C
            bic x4, x4, #SCTLR_I
            msr sctlr_el2, x4
            b 12f
        11: mrs x4, sctlr_el1
            bic x4, x4, #SCTLR_M
            bic x4, x4, #SCTLR_C
            bic x4, x4, #SCTLR_I
            msr sctlr_el1, x4
        12: isb
            ic iallu                    /* nothing the firmware ran may be fetched from the copy's addresses */
            dsb nsh
            isb
            mov x0, x1
            mov x1, x2
            mov x2, x3
            mov x3, xzr
            br x19
      `;
      w.blank();
      w.comment("In .data, not .bss: it is written after .bss is zeroed, but kept apart from it anyway.");
      w.c`
        .data
        .globl boot_cycles
        .globl boot_el
        .globl kimage_phys
        .globl boot_initrd
        .globl boot_initrd_len
        .p2align 3
        kimage_phys:                    /* the image's physical address (memlayout.h's V2P) */
            .quad 0
        boot_initrd:                    /* the initrd's physical address from the EFI stub (x1 at entry), else 0 ... */
            .quad 0
        boot_initrd_len:                /* ... and its length (x2) */
            .quad 0
        boot_cycles:                    /* the cycle counter at kmain's call, for the boot_to_ready benchmark */
            .quad 0
        boot_el:                        /* 2 when the loader entered at EL2 (PSCI is then SMC's, power.c) */
            .quad 0
      `;
      w.blank();
      w.comment(
        "Translation tables (page-aligned) and the boot stack. boot_l0_high is TTBR1's root",
        "for good, every process's kernel half; boot_l0_low only serves the way in",
        "(vm_drop_low_map replaces it with an empty table).",
      );
      w.c`
        .bss
        .globl boot_l0_high
        .globl boot_l3_image
        .p2align 12
        boot_l0_high:
            .skip PGSIZE
        boot_l1_high:
            .skip PGSIZE
        boot_l2_high:
            .skip PGSIZE
        boot_l3_image:
            .skip PGSIZE
        boot_l1_image:
            .skip PGSIZE
        boot_l2_image:
            .skip PGSIZE
        boot_l0_low:
            .skip PGSIZE
        boot_l1_low:
            .skip PGSIZE
        .p2align 4
        boot_stack:
            .skip BOOT_STACK_SIZE
        .globl boot_stack_top
        boot_stack_top:
      `;
    });
  },
};
