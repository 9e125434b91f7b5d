// Self-tests that run bin/usertest, an ELF program of the initrd (self-test
// builds only): the ELF loader (core/elf.c) takes it and refuses bad copies of
// it, and its own checks of the file and process syscalls pass.
import { USERTEST_MODES, USERTEST_WITH_IPC } from "../../user/programs/usertest.ts";
import { c } from "../../writer.ts";
import { TIER_OPTIONS, type SelfTest, type SelfTestContext } from "./test.ts";

const elfExec: SelfTest = {
  name: "elf_exec",
  includes: ["memlayout.h"],
  options: TIER_OPTIONS,
  helpers: c`
    /* elf_load's answer for the image data[0..len) into a fresh address space. */
    static int try_load(const uint8 *data, uint64 len)
    {
        struct elf_info info;
        uint64 space = uvm_create();
        int r = elf_load(space, data, len, &info);
        uvm_free(space);
        return r;
    }
  `,
  body: c`
    int killed;
    const uint8 *data;
    uint64 len, phoff;
    uint32 order = 0;
    int64 status = run_file("bin/usertest", CAP_ALL, ${USERTEST_MODES.exit7}, &killed);
    if (status == NOT_STARTED)
        return "bin/usertest did not start from the initrd";
    if (killed || status != 7)
        return "bin/usertest did not exit with status 7";
    if (!initrd_lookup("bin/usertest", &data, &len) || try_load(data, len) != 0)
        return "bin/usertest does not load";
    while ((PGSIZE << order) < len)
        order++;
    uint8 *bad = page_alloc(order);
    if (bad == NULL)
        return "page_alloc failed";
    memcpy(bad, data, len);
    bad[18] ^= 1; /* e_machine: not x86-64 */
    int refused = try_load(bad, len) == -ENOEXEC && try_load(data, 40) == -ENOEXEC;
    bad[18] ^= 1;
    memcpy(&phoff, bad + 32, 8);
    for (uint8 *ph = bad + phoff; ph < bad + phoff + 56 * 8 && ph + 56 <= bad + len; ph += 56) {
        uint32 type;
        memcpy(&type, ph, 4);
        if (type != 1) /* PT_LOAD */
            continue;
        uint64 low = USER_MIN - PGSIZE, huge = ~0UL, vaddr;
        memcpy(&vaddr, ph + 16, 8);
        memcpy(ph + 16, &low, 8); /* below the user window */
        refused += try_load(bad, len) == -ENOEXEC;
        memcpy(ph + 16, &vaddr, 8);
        memcpy(ph + 40, &huge, 8); /* p_memsz past the end of the address space */
        refused += try_load(bad, len) == -ENOEXEC;
        break;
    }
    page_free(bad, order);
    if (refused != 3)
        return "a bad executable was loaded";
    detail_str("bin/usertest ");
    detail_num(len);
    detail_str(" B exits 7; bad machine, truncated, out of the window, overflowing: -ENOEXEC");
  `,
};

/** Run bin/usertest in `mode`: it exits 0, or with the line of usertest.c whose check failed. */
function usertest(name: string, mode: number, what: string): SelfTest {
  return {
    name,
    options: TIER_OPTIONS,
    body: c`
      int killed;
      int64 status = run_file("bin/usertest", CAP_ALL, ${mode}, &killed);
      if (status == NOT_STARTED)
          return "bin/usertest did not start from the initrd";
      if (killed)
          return "usertest was killed";
      if (status != 0) {
          detail_str("bin/usertest.c line ");
          detail_num((uint64)status);
          return detail;
      }
      detail_str("${what}");
    `,
  };
}

/** elf_exec, then usertest's file and process checks, each when the tiers build the syscalls it makes. */
export function usertestTests({ built }: SelfTestContext): SelfTest[] {
  const has = (...names: string[]): boolean => names.every((n) => built.has(n));
  const out: SelfTest[] = [];
  if (has("exit")) out.push(elfExec);
  if (has("open", "close", "read", "fstat", "lseek", "exit")) {
    out.push(usertest("user_files", USERTEST_MODES.files, "open, fstat, lseek, read, close on the initrd and their errors"));
  }
  if (has("spawn", "wait", "kill", "yield", "getpid", "exit")) {
    const ipc = has("ipc_recv") ? USERTEST_WITH_IPC : 0;
    const what = `spawn, wait, kill in user mode${ipc ? " and blocked in ipc_recv" : ""}, and their errors`;
    out.push(usertest("user_spawn", USERTEST_MODES.procs | ipc, what));
  }
  return out;
}
