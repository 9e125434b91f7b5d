// Declares kernel.tmpfs: where the kernel mounts writable file systems in RAM
// (core/tmpfs.c), and how many pages they may hold together. /tmp is always
// one of them. A mount must not hide what the image itself puts in the
// initrd (/exo, /etc/exo) or the devices (/dev), nor sit inside another.
import { posix } from "node:path";
import { z } from "zod";
import { defineModule } from "../../generator/eval/module.ts";
import { option } from "../../schemas/option.ts";

/** Folders of the initrd a mount would hide: the programs, the services list, the devices. */
const RESERVED = ["/exo", "/etc/exo", "/dev"];

/** Longest mount path: the kernel's paths are 511 bytes, and files need room below the mount. */
const MOUNT_MAX = 128;

const under = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);

const mountPath = z
  .string()
  .max(MOUNT_MAX, `a path of at most ${MOUNT_MAX} bytes`)
  .regex(/^\//, "an absolute path, such as /var/scratch")
  .refine((p) => p !== "/", "a folder below / (the root is the read-only initrd)")
  .refine((p) => posix.normalize(p) === p && !p.endsWith("/"), "a normalised path: no '.', '..', '//' or trailing '/'")
  .refine((p) => /^(\/[A-Za-z0-9._-]+)+$/.test(p), "path components of letters, digits, '.', '_' and '-'")
  .refine((p) => RESERVED.every((r) => !under(p, r) && !under(r, p)), `a folder that neither holds nor lies inside ${RESERVED.join(", ")}`);

export const tmpfsOptions = {
  mounts: option({
    type: z
      .array(mountPath)
      .max(16, "at most 16 mounts")
      .superRefine((list, ctx) => {
        const twice = list.find((p, i) => list.indexOf(p) !== i);
        if (twice !== undefined) ctx.addIssue({ code: "custom", message: `each path once (${twice} is listed twice)` });
        const inner = list.find((a) => list.some((b) => a !== b && under(a, b)));
        if (inner !== undefined) ctx.addIssue({ code: "custom", message: `mounts that do not lie inside one another (${inner} is inside ${list.find((b) => b !== inner && under(inner, b))})` });
      }),
    default: ["/tmp"],
    description:
      "Folders where the kernel mounts a writable tmpfs (files and folders in RAM, lost at shutdown). `/tmp` is always mounted, listed or not. Writing needs the `fs.write` capability and, for a package, the path among its `sandbox.filesystem.write`.",
    example: ["/tmp", "/var/scratch"],
  }),
  maxPages: option({
    type: z.number().int().min(1).max(262_144),
    default: 1024,
    description: "Pages of 4 KiB that all tmpfs mounts together may hold; a write past them fails with ENOSPC.",
    example: 4096,
  }),
};

export default defineModule({ options: { kernel: { tmpfs: tmpfsOptions } } });
