// The Linux ABI's address space keeps its promises (issue 15, step 1): a
// stack that runs into its guard page faults there and kills only that
// process; writable-and-executable memory is refused by mmap and mprotect
// (W^X), and a page made read-only by mprotect faults on a write.
import test from "ava";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exo, REPO, tempProject } from "../helpers/exo.ts";

const manifest = (name: string, what: string) =>
  `package: { name: ${name}, version: 1.0.0, description: ${what}, license: MIT }\nsources: [main.c]\nbuild: { toolchain: musl }\nsandbox: { capabilities: [console, memory.map], memoryPages: 512 }\nservices: [{ name: ${name} }]\n`;

const OVERFLOW = `#include <stdio.h>
static int depth(int n)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    return depth(n + 1) + frame[0];
}
int main(void)
{
    printf("overflow: start\\n");
    fflush(stdout);
    return depth(0);
}
`;

const WX = `#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
int main(void)
{
    void *rwx = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("wx: mmap rwx %s\\n", rwx == MAP_FAILED && errno == EACCES ? "EACCES" : "allowed");
    char *page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page[0] = 1;
    printf("wx: mprotect rwx %s\\n", mprotect(page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) != 0 && errno == EACCES ? "EACCES" : "allowed");
    printf("wx: mprotect read-only %d\\n", mprotect(page, 4096, PROT_READ));
    printf("wx: reads %d, now writes\\n", page[0]);
    fflush(stdout);
    page[0] = 2;
    printf("wx: the write went through\\n");
    return 0;
}
`;

test("a stack overflow hits the guard page and a write to a read-only page faults, each killing only its process; W+X is refused", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  for (const [name, text, what] of [["overflow", OVERFLOW, "Recurses until its stack ends."], ["wx", WX, "Asks for writable and executable memory."]] as const) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, `${name}.exopkg`), manifest(name, what));
    await writeFile(join(dir, name, "main.c"), text);
  }
  await writeFile(
    join(dir, "profile.ts"),
    `import { defineProfile } from "${join(REPO, "generator/api.ts")}";\nimport server from "${join(REPO, "profiles/server.ts")}";\n` +
      `export default defineProfile({ imports: [server], config: { packages: { set: { overflow: { path: "./overflow" }, wx: { path: "./wx" } }, install: ["overflow", "wx"] } } });\n`,
  );
  const r = await exo(["run", "profile.ts", "--timeout", "90"], { cwd: dir });
  t.regex(r.stdout, /^overflow: start$/m, r.stderr + r.stdout);
  // The 32-page stack ends at 0x7fff_ffff_f000; under it the guard page, and nothing mapped for far below.
  const overflow = /^init: started overflow \(pid (\d+),/m.exec(r.stdout)?.[1];
  const cr2 = new RegExp(`^exo: proc ${overflow} killed: exception 14 at rip 0x[0-9a-f]+ cr2 0x([0-9a-f]+)$`, "m").exec(r.stdout)?.[1];
  t.truthy(cr2, r.stdout);
  const bottom = 0x7ffffffff000n - 32n * 4096n;
  t.true(BigInt(`0x${cr2}`) < bottom && BigInt(`0x${cr2}`) >= bottom - 0x10000n, `cr2 0x${cr2} just under the stack`);
  for (const line of ["wx: mmap rwx EACCES", "wx: mprotect rwx EACCES", "wx: mprotect read-only 0", "wx: reads 1, now writes"]) t.true(r.stdout.split("\n").includes(line), `${line}\n${r.stdout}`);
  t.false(r.stdout.includes("wx: the write went through"), r.stdout);
  const wx = /^init: started wx \(pid (\d+),/m.exec(r.stdout)?.[1];
  t.regex(r.stdout, new RegExp(`^exo: proc ${wx} killed: exception 14 at rip 0x[0-9a-f]+ cr2 0x0*7efffffff000$`, "m"), r.stdout);
  // The kernel and the other services carry on: echo-server is stopped by init as usual, and init ends.
  t.regex(r.stdout, /^init: echo-server stopped with status 137$/m);
  t.regex(r.stdout, /^init: 3 services, 2 failed$/m, r.stdout);
  t.regex(r.stdout, /^exo: init exited with status \d+$/m);
});
