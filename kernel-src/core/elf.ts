// core/elf.c: load a static ELF64 executable (a user program from the initrd)
// into a process's address space, at the segments' own addresses. Everything
// in the file is checked before it is trusted: the header, each program
// header, and that every loadable segment lies in the user addresses its ABI
// allows: an Exo program (one with the Exo note, user/lib/crt0.S) inside the
// window from USER_BASE to below its stack, a Linux one anywhere from
// USER_MIN (64 KiB: 0x400000, Linux's usual address, included) to
// LINUX_MMAP_FLOOR. Pages get the rights of their segment's p_flags, and none
// is both writable and executable (W^X).
import { ERRNO } from "../errno.ts";
import { EXO_NOTE_NAME, EXO_NOTE_TYPE } from "../user/crt0.ts";
import { emit, type Template } from "../template.ts";

const source = "core/elf.ts";

export const elf: Template = {
  source,
  render() {
    const summary = "The ELF64 loader: validate a static executable of the port's machine (ARCH_ELF_MACHINE) and copy its PT_LOAD segments into a process's pages.";
    return emit({ source, path: "core/elf.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "memlayout.h"', '#include "defs.h"');
      w.blank();
      w.line(`#define ENOEXEC ${ERRNO.ENOEXEC}`, `#define ENOMEM ${ERRNO.ENOMEM}`);
      w.line("#define ET_EXEC 2", "#define PT_LOAD 1", "#define PT_NOTE 4", "#define PT_PHDR 6", "#define PF_X 1", "#define PF_W 2");
      w.line(`#define EXO_NOTE_TYPE ${EXO_NOTE_TYPE} /* the Exo ABI note's type, with the name "${EXO_NOTE_NAME}" (user/lib/crt0.S) */`);
      w.comment("Exo programs load between USER_BASE and their stack; Linux ones between USER_MIN and the mmap area.");
      w.line("#define LOAD_END (USER_STACK_TOP - USER_STACK_PAGES * PGSIZE)");
      w.blank();
      w.line(`struct elf_header {
    uint8 ident[16];
    uint16 type, machine;
    uint32 version;
    uint64 entry, phoff, shoff;
    uint32 flags;
    uint16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf_phdr {
    uint32 type, flags;
    uint64 offset, vaddr, paddr, filesz, memsz, align;
};`);
      w.blank();
      w.comment("Whether [va, va + len) lies inside the loadable user addresses [start, end] (no overflow).");
      w.fn("static int in_window(uint64 va, uint64 len, uint64 start, uint64 end)", () => {
        w.line("return va >= start && va <= end && len <= end - va;");
      });
      w.blank();
      w.comment("Whether the notes of segment p (inside the file: check() made sure of the headers, not of this) hold the Exo ABI note.");
      w.fn("static int has_exo_note(const uint8 *data, uint64 len, const struct elf_phdr *p)", () => {
        w.line(`if (p->offset > len || p->filesz > len - p->offset)
    return 0;
const uint8 *n = data + p->offset, *end = n + p->filesz;
while (end - n >= 12) {
    uint32 namesz, descsz, type;
    memcpy(&namesz, n, 4);
    memcpy(&descsz, n + 4, 4);
    memcpy(&type, n + 8, 4);
    uint64 size = 12 + (((uint64)namesz + 3) & ~3UL) + (((uint64)descsz + 3) & ~3UL);
    if (size > (uint64)(end - n))
        return 0;
    if (type == EXO_NOTE_TYPE && namesz == ${EXO_NOTE_NAME.length + 1} && memcmp(n + 12, "${EXO_NOTE_NAME}", ${EXO_NOTE_NAME.length + 1}) == 0)
        return 1;
    n += size;
}
return 0;`);
      });
      w.blank();
      w.comment("The page rights (uvm_map's prot) of a segment with flags p_flags, or -1 for one both writable and executable.");
      w.fn("static int segment_prot(uint32 flags)", () => {
        w.line(`if ((flags & PF_W) && (flags & PF_X))
    return -1;
if (flags & PF_W)
    return UVM_WRITE;
return (flags & PF_X) ? 0 : UVM_NOEXEC;`);
      });
      w.blank();
      w.comment("The header and program headers of an executable we can run, or NULL.");
      w.fn("static const struct elf_phdr *check(const uint8 *data, uint64 len, const struct elf_header *h)", () => {
        w.line(`if (len < sizeof *h || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F')
    return NULL;
if (data[4] != 2 || data[5] != 1 || h->type != ET_EXEC || h->machine != ARCH_ELF_MACHINE) /* ELF64, little-endian */
    return NULL;
if (h->phentsize != sizeof(struct elf_phdr) || h->phnum == 0 || h->phoff > len || (uint64)h->phnum * sizeof(struct elf_phdr) > len - h->phoff)
    return NULL;
if ((h->phoff & 7) != 0)
    return NULL;
return (const struct elf_phdr *)(data + h->phoff);`);
      });
      w.blank();
      w.comment(
        "Load the executable data[0..len) into the address space `space`: map fresh zeroed",
        "pages for every PT_LOAD segment at its own address (writable only if the",
        "segment is, executable only if it is and is not writable), copy its file",
        "bytes in, and fill *info (entry, ABI, program headers' address, end).",
        "Returns 0, -ENOEXEC for a file that is not a valid executable for its ABI's",
        "addresses (segments out of order, or writable and executable), or -ENOMEM.",
        "On an error the pages mapped so far stay in space, which the caller frees.",
      );
      w.fn("int elf_load(uint64 space, const uint8 *data, uint64 len, struct elf_info *info)", () => {
        w.line(`struct elf_header h;
if (len < sizeof h)
    return -ENOEXEC;
memcpy(&h, data, sizeof h); /* the archive keeps no alignment promise */
const struct elf_phdr *ph = check(data, len, &h);
if (ph == NULL)
    return -ENOEXEC;
memset(info, 0, sizeof *info);
for (uint32 i = 0; i < h.phnum; i++) {
    struct elf_phdr p;
    memcpy(&p, &ph[i], sizeof p);
    if (p.type == PT_NOTE && has_exo_note(data, len, &p))
        info->exo = 1;
    if (p.type == PT_PHDR)
        info->phdr = p.vaddr;
}
if (!info->exo && !ARCH_LINUX_ABI) /* this port runs no Linux programs */
    return -ENOEXEC;
uint64 start = info->exo ? USER_BASE : USER_MIN, end = info->exo ? LOAD_END : LINUX_MMAP_FLOOR;
if (!in_window(h.entry, 1, start, end))
    return -ENOEXEC;
int loaded = 0, last_prot = -1;
uint64 last_end = 0;
for (uint32 i = 0; i < h.phnum; i++) {
    struct elf_phdr p;
    memcpy(&p, &ph[i], sizeof p);
    if (p.type != PT_LOAD)
        continue;
    int prot = segment_prot(p.flags);
    if (p.filesz > p.memsz || p.offset > len || p.filesz > len - p.offset || !in_window(p.vaddr, p.memsz, start, end))
        return -ENOEXEC;
    if (prot < 0 || p.vaddr < last_end) /* W^X; and in address order, as the ELF spec asks */
        return -ENOEXEC;
    for (uint64 page = p.vaddr & ~(PGSIZE - 1); page < p.vaddr + p.memsz; page += PGSIZE) {
        uint8 *pa = uvm_page(space, page);
        if (pa != NULL && prot != last_prot) /* a page the previous segment ends in, with other rights */
            return -ENOEXEC;
        if (pa == NULL && (pa = uvm_map_zeroed(space, page, prot)) == NULL)
            return -ENOMEM;
        /* The part of the segment's file bytes that falls in this page. */
        uint64 from = page > p.vaddr ? page : p.vaddr, to = page + PGSIZE;
        if (to > p.vaddr + p.filesz)
            to = p.vaddr + p.filesz;
        if (from < to)
            memcpy(pa + (from - page), data + p.offset + (from - p.vaddr), to - from);
    }
    /* The program headers, for AT_PHDR: where the segment holding them maps them. */
    if (info->phdr == 0 && h.phoff >= p.offset && h.phoff - p.offset < p.filesz)
        info->phdr = p.vaddr + (h.phoff - p.offset);
    if (p.memsz > 0) { /* an empty segment maps no page */
        last_end = p.vaddr + p.memsz;
        last_prot = prot;
    }
    loaded++;
}
if (loaded == 0)
    return -ENOEXEC;
info->entry = h.entry;
info->phnum = h.phnum;
info->phent = h.phentsize;
info->end = (last_end + PGSIZE - 1) & ~(PGSIZE - 1);
return 0;`);
      });
    });
  },
};
