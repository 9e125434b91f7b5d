// The arch-independent templates, in no particular order (renderKernel sorts the output).
import type { Template } from "../template.ts";
import { allocParam } from "./alloc_param.ts";
import { bench } from "./bench.ts";
import { buddy } from "./buddy.ts";
import { buildInfo } from "./build_info.ts";
import { cow } from "./cow.ts";
import { defs } from "./defs.ts";
import { elf } from "./elf.ts";
import { errno } from "./errno.ts";
import { fdt } from "./fdt.ts";
import { file } from "./file.ts";
import { initrd } from "./initrd.ts";
import { ipc } from "./ipc.ts";
import { ipcParam } from "./ipc_param.ts";
import { linux } from "./linux.ts";
import { lxproc } from "./lxproc.ts";
import { main } from "./main.ts";
import { param } from "./param.ts";
import { path } from "./path.ts";
import { policy } from "./policy.ts";
import { printf } from "./printf.ts";
import { proc } from "./proc.ts";
import { ring } from "./ring.ts";
import { sandbox } from "./sandbox.ts";
import { sched } from "./sched.ts";
import { schedParam } from "./sched_param.ts";
import { selftest } from "./selftest.ts";
import { selftestHeader } from "./selftest/header.ts";
import { sha256 } from "./sha256.ts";
import { signal } from "./signal.ts";
import { slab } from "./slab.ts";
import { string } from "./string.ts";
import { syscall } from "./syscall.ts";
import { sysnum } from "./sysnum.ts";
import { tcache } from "./tcache.ts";
import { thread } from "./thread.ts";
import { tmpfs } from "./tmpfs.ts";
import { types } from "./types.ts";
import { uproc } from "./uproc.ts";
import { processH } from "./process.ts";
import { ufile } from "./ufile.ts";

export const coreTemplates: readonly Template[] = [
  allocParam, bench, buddy, buildInfo, cow, defs, elf, errno, fdt, file, initrd, ipc, ipcParam, linux, lxproc, main, param, path, policy, printf, proc, ring, sandbox, sched, schedParam, selftest, selftestHeader,
  sha256, signal, slab, string, syscall, sysnum, tcache, thread, tmpfs, types, ufile, uproc, processH,
];
