// user/bin/usertest.c: the user-space half of the kernel's self-tests, put in
// the initrd of kernel.testMode = "selftest" builds only. The kernel spawns it
// with a mode (its argument) and checks the exit status: 0, or the line of
// the check that failed.
import { LONGEST_POLICY_NAME } from "../../../schemas/limits.ts";
import { emit, type FixedTemplate } from "../../template.ts";

const source = "user/programs/usertest.ts";

/** What usertest does, by its argument; core/selftest.c uses the same numbers. */
export const USERTEST_MODES = { files: 1, procs: 2, exit7: 3, spin: 4, block: 5, fault: 6 } as const;
/** Added to the procs mode when the kernel has IPC: also kill a process blocked in ipc_recv. */
export const USERTEST_WITH_IPC = 0x100;

export const usertest: FixedTemplate = {
  source,
  render(_arch) {
    const m = USERTEST_MODES;
    // Defined in self-test builds (modules/selftest.ts); the same name one character longer, and far longer.
    const longest = LONGEST_POLICY_NAME;
    const longer = `${longest}x`;
    const farLonger = longest + "y".repeat(64 - longest.length);
    const summary = "usertest: file syscalls on the initrd, spawn, wait and kill, policy names, each check failing with its line number.";
    return emit({ source, path: "bin/usertest.c", summary, options: [] }, (w) => {
      w.line('#include "exo.h"');
      w.blank();
      w.c`
        #define CHECK(cond)          \
            do {                     \
                if (!(cond))         \
                    return __LINE__; \
            } while (0)
      `;
      w.line("#define UNMAPPED 0x1000 /* an address below the lowest user page: never mapped */");
      w.blank();
      w.line(`static char buf[8192];

/* open, fstat, lseek, read and close on a file of the initrd, and their errors. */
static int files(void)
{
    struct stat st;
    int64 fd = open("/etc/exo/config.json", O_RDONLY);
    CHECK(fd >= 3);
    CHECK(fstat(fd, &st) == 0 && (st.mode & S_IFREG) != 0 && st.size > 2 && st.size <= sizeof buf);
    CHECK(lseek(fd, 0, SEEK_END) == (int64)st.size);
    CHECK(read(fd, buf, sizeof buf) == 0);
    CHECK(lseek(fd, 1, SEEK_SET) == 1);
    CHECK(read(fd, buf, 1) == 1 && buf[0] == '"');
    CHECK(lseek(fd, -1, SEEK_CUR) == 1 && lseek(fd, -2, SEEK_CUR) == -EINVAL);
    CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, buf, sizeof buf) == (int64)st.size);
    CHECK(buf[0] == '{' && buf[st.size - 1] == '\\n');
    CHECK(read(fd, (void *)UNMAPPED, 1) == -EFAULT);
    CHECK(close(fd) == 0 && close(fd) == -EBADF && read(fd, buf, 1) == -EBADF);
    CHECK(fstat(1, &st) == 0 && (st.mode & S_IFCHR) != 0);
    CHECK(open("etc/exo/config.json", O_RDONLY) == fd); /* the lowest free descriptor, leading slash or not */
    CHECK(open("/etc/exo/missing", O_RDONLY) == -ENOENT);
    CHECK(open("/etc/exo/config.json", O_WRONLY) == -EROFS);
    CHECK(open("/etc/exo/config.json", O_RDWR) == -EROFS);
    CHECK(open((const char *)UNMAPPED, O_RDONLY) == -EFAULT);
    return 0;
}

/* spawn, wait and kill: statuses, a kill in user mode (and in the kernel, with IPC), and the errors.
   A policy name is taken whole or refused: never cut to a prefix that names another policy. */
static int procs(uint64 with_ipc)
{
    int64 status, me = getpid();
    int64 child = spawn("/bin/usertest", NULL, ${m.exit7});
    CHECK(child > me);
    CHECK(wait(child, &status) == child && status == 7);
    CHECK(wait(child, &status) == -ECHILD);
    int64 spinner = spawn("bin/usertest", NULL, ${m.spin});
    CHECK(spinner > child && kill(spinner) == 0);
    CHECK(wait(spinner, &status) == spinner && status == STATUS_KILLED);
    int64 faulter = spawn("bin/usertest", NULL, ${m.fault});
    CHECK(faulter > spinner && wait(faulter, &status) == faulter && status == STATUS_FAULTED);
    if (with_ipc) {
        int64 blocked = spawn("bin/usertest", NULL, ${m.block});
        CHECK(blocked > spinner);
        for (int i = 0; i < 20; i++) /* let it reach ipc_recv and wait there */
            yield();
        CHECK(kill(blocked) == 0 && wait(blocked, &status) == blocked && status == STATUS_KILLED);
    }
    CHECK(kill(me) == -ESRCH && kill(1 << 20) == -ESRCH);
    CHECK(spawn("bin/missing", NULL, 0) == -ENOENT);
    CHECK(spawn("etc/exo/config.json", NULL, 0) == -ENOEXEC);
    CHECK(spawn("bin/usertest", "no-such-policy", 0) == -EINVAL);
    CHECK(spawn((const char *)UNMAPPED, NULL, 0) == -EFAULT);
    int64 named = spawn("bin/usertest", "${longest}", ${m.exit7});
    CHECK(named > 0 && wait(named, &status) == named && status == 7);
    CHECK(spawn("bin/usertest", "${longer}", ${m.exit7}) == -EINVAL);
    CHECK(spawn("bin/usertest", "${farLonger}", ${m.exit7}) == -EINVAL);
    return 0;
}

int main(uint64 arg)
{
    switch (arg & 0xff) {
    case ${m.files}:
        return files();
    case ${m.procs}:
        return procs(arg & ${"0x" + USERTEST_WITH_IPC.toString(16)});
    case ${m.exit7}:
        return 7;
    case ${m.spin}:
        for (;;)
            __asm__ volatile("" ::: "memory");
    case ${m.block}:
        return (int)ipc_recv(7, buf, sizeof buf);
    case ${m.fault}:
        *(volatile uint8 *)UNMAPPED = 1; /* the kernel ends it: wait says STATUS_FAULTED */
        return 0;
    }
    return 1000;
}`);
    });
  },
};
