// The arch-independent templates, in no particular order (renderKernel sorts the output).
import type { Template } from "../template.ts";
import { buildInfo } from "./build_info.ts";
import { defs } from "./defs.ts";
import { ipc } from "./ipc.ts";
import { main } from "./main.ts";
import { param } from "./param.ts";
import { printf } from "./printf.ts";
import { string } from "./string.ts";
import { sysnum } from "./sysnum.ts";
import { types } from "./types.ts";

export const coreTemplates: readonly Template[] = [buildInfo, defs, ipc, main, param, printf, string, sysnum, types];
