// Issue 15, step 2: a musl-built C program's descriptors under the kernel's
// Linux ABI: a pipe in one process (data, EOF, EPIPE), dup2 of a pipe end onto
// fd 1 and back, /dev/null and /dev/console opened, fcntl's flags, the
// descriptor limit, getdents64 of /exo/bin (checked against the image's own
// initrd), readlink of the program's link, nanosleep, and bad pointers refused.
import test from "ava";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { unpackTar } from "../../generator/image/tar.ts";
import { exo, fixture, tempProject } from "../helpers/exo.ts";

test("a musl-built C program pipes, duplicates, opens devices, lists /exo/bin, reads a link and sleeps", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const build = await exo(["build", fixture("musl-fds.ts"), "--out-link", "result"], { cwd: dir });
  t.is(build.code, 0, build.stderr);

  // What the program should list and read: the image's /exo/bin, in the initrd's order.
  const closure = await exo(["store", "path-info", "--closure", "result"], { cwd: dir });
  t.is(closure.code, 0, closure.stderr);
  const initrdPath = closure.stdout.split("\n").find((l) => /-initrd-server$/.test(l))!;
  const initrd = await unpackTar(await readFile(join(dir, "store/v1/paths", initrdPath, "initrd.tar")));
  const inBin = (name: string) => /^exo\/bin\/[^/]+$/.test(name);
  const links = initrd.symlinks.filter((l) => inBin(l.name));
  const files = initrd.entries.filter((e) => inBin(e.name));
  t.true(links.some((l) => l.name === "exo/bin/musl-fds"), links.map((l) => l.name).join(" "));
  const self = links.find((l) => l.name === "exo/bin/musl-fds")!;

  const r = await exo(["run", fixture("musl-fds.ts"), "--timeout", "90"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("musl-fds: "));
  const listed = lines.filter((l) => /^musl-fds: ls (?!dots )/.test(l));
  t.deepEqual(
    [...listed].sort(),
    [...links.map((l) => `musl-fds: ls ${l.name.slice("exo/bin/".length)} link`), ...files.map((f) => `musl-fds: ls ${f.name.slice("exo/bin/".length)} file`)].sort(),
    r.stdout,
  );
  t.deepEqual(lines.filter((l) => !listed.includes(l)), [
    "musl-fds: pipe read hello pipe",
    "musl-fds: pipe eof yes epipe yes",
    "musl-fds: dup2 captured through fd 1",
    "musl-fds: devnull write 5 read 0",
    "musl-fds: console opened",
    "musl-fds: fcntl cloexec 0 1 rdwr yes nonblock yes dupfd 20 dupfd_cloexec 1 0",
    "musl-fds: pipe2 cloexec 1 1 eagain yes",
    "musl-fds: limit 32 more EMFILE then fd 3",
    "musl-fds: ls dots 2 notdir yes",
    `musl-fds: readlink /exo/bin/musl-fds -> ${self.linkTarget}`,
    "musl-fds: readlinkat same yes folder einval yes",
    "musl-fds: nanosleep 10 ms took 10 ms or more",
    "musl-fds: bad pointers refused",
    "musl-fds: done",
  ], r.stdout);
  // Nothing it called was missing, and nothing was denied.
  t.notRegex(r.stdout, /^linux: .*unsupported syscall/m);
  t.notRegex(r.stdout, /^sandbox: musl-fds/m);
  t.regex(r.stdout, /^init: musl-fds exited with status 0$/m);
  t.regex(r.stdout, /^init: 2 services, 0 failed$/m);
});
