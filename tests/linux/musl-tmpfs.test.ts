// Issue 15, the writable tmpfs: musl-built C programs on the mounts of
// tests/fixtures/musl-tmpfs.yaml (/tmp, /var/scratch, /var/other; 64 pages).
// musl-tmpfs creates, appends, reads back, stats, lists, unlinks while open,
// makes and removes folders, renames, works from a working directory, fills
// the pages, and is refused what its sandbox does not allow; musl-tmpfs-ro,
// without fs.write, may list /tmp but not write there.
import test from "ava";
import { rm } from "node:fs/promises";
import { exo, fixture, tempProject } from "../helpers/exo.ts";

test("musl programs write, list, rename and remove files on the tmpfs mounts, within their sandboxes", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const r = await exo(["run", fixture("musl-tmpfs.yaml"), "--timeout", "90"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("musl-tmpfs: "));
  // The root lists what the initrd holds plus the mounts' folders, each once, in kernel.tmpfs.mounts' order.
  t.deepEqual(lines, [
    "musl-tmpfs: read back hello|world|",
    "musl-tmpfs: stat size 12 regular yes mode 644",
    "musl-tmpfs: excl EEXIST trunc size 0",
    "musl-tmpfs: pwrite size 5002 hole zeros yes ftruncate size 3",
    "musl-tmpfs: ls /tmp/d ./ ../ f1 f2 sub/",
    "musl-tmpfs: mkdir again EEXIST rmdir full ENOTEMPTY file as folder ENOTDIR folder for writing EISDIR missing parent ENOENT",
    "musl-tmpfs: / lists tmp/ 1 time(s), var/ yes; /var lists ./ ../ scratch/ other/",
    "musl-tmpfs: unlinked stat ENOENT, open descriptor reads keep size 4",
    "musl-tmpfs: rename moved yes replaced by 2 folder yes into itself EINVAL other mount EXDEV initrd EXDEV",
    "musl-tmpfs: rmdir empty ok mount EBUSY unlink a mount EISDIR unlink missing ENOENT",
    "musl-tmpfs: cwd /var/scratch relative create yes then /var relative stat yes",
    "musl-tmpfs: redirected via fd 1|",
    "musl-tmpfs: limit 64 pages then ENOSPC, freed by unlink yes",
    "musl-tmpfs: initrd create EROFS mkdir EROFS existing EEXIST; /var/other create EPERM read yes",
    "musl-tmpfs: /tmp at the end ./ ../",
    "musl-tmpfs: done",
  ], r.stdout);
  t.regex(r.stdout, /^musl-tmpfs-ro: create EPERM mkdir EPERM list yes$/m);
  // Each denial is printed once per process and capability.
  t.regex(r.stdout, /^sandbox: musl-tmpfs@0\.1\.0 \(pid \d+\) denied fs\.write: open \/var\/other\/x for writing$/m);
  t.regex(r.stdout, /^sandbox: musl-tmpfs-ro@0\.1\.0 \(pid \d+\) denied fs\.write: open \/tmp\/ro-file for writing$/m);
  t.is(r.stdout.match(/^sandbox: musl-tmpfs-ro@.*denied fs\.write/gm)?.length, 1, r.stdout);
  t.notRegex(r.stdout, /^linux: .*unsupported syscall/m);
  t.regex(r.stdout, /^init: musl-tmpfs exited with status 0$/m);
  t.regex(r.stdout, /^init: musl-tmpfs-ro exited with status 0$/m);
});
