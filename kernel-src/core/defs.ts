// include/defs.h: prototypes of everything one kernel file calls in another,
// grouped by the file that defines it (xv6's defs.h). A feature that is off
// has no group, so its functions are not even declared.
import type { KernelTemplateInput } from "../input.ts";
import { portOf } from "../ports.ts";
import { emit, type Template } from "../template.ts";

const source = "core/defs.ts";

const noreturn = "__attribute__((noreturn))";

export const defs: Template = {
  source,
  render(input: KernelTemplateInput) {
    const { arch, kernel: k } = input;
    const predictive = k.scheduler.policy === "predictive";
    const tcache = k.allocator.threadCacheObjects > 0;
    const tests = k.testMode !== "off";
    const groups: (readonly [file: string, lines: readonly string[]])[] = [
      ...(k.testMode === "bench" ? [["core/bench.c", ["void bench_run(void);"]] as [string, string[]]] : []),
      ["core/buddy.c", ["void *page_alloc(uint32 order);", "void page_free(void *p, uint32 order);", "void buddy_add_range(uint64 start, uint64 end);", "uint64 buddy_free_pages(void);"]],
      [
        "core/build_info.c",
        [
          "extern const char build_system_name[];",
          "extern const char build_arch[];",
          "extern const char build_config_hash[];",
          "extern const char build_features[];",
          "extern const char build_initrd_sha256[];",
        ],
      ],
      ["core/fdt.c", ["int fdt_check(const void *fdt);", "uint64 fdt_size(const void *fdt);", "int fdt_memory(const void *fdt, uint64 *base, uint64 *size, int max);", "int fdt_initrd(const void *fdt, uint64 *start, uint64 *end);"]],
      ["core/elf.c", ["struct elf_info {\n    uint64 entry, phdr, phnum, phent, end; /* end: past the last segment, page-aligned */\n    int exo;\n};", "int elf_load(uint64 space, const uint8 *data, uint64 len, struct elf_info *info);"]],
      [
        "core/file.c",
        [
          "int64 file_open(uint64 path_va, uint64 flags);",
          "struct ufile *fd_file(uint64 fd);",
          "int64 file_stat_path(uint64 path_va, uint64 *size);",
          "int64 file_close(uint64 fd);",
          "int64 file_read(uint64 fd, uint64 buf, uint64 len);",
          "int64 file_write(uint64 fd, uint64 buf, uint64 len);",
          "int64 fd_alloc(uint64 min);",
          "int64 fd_install(uint64 fd, const struct ufile *src);",
          "void file_table_init(struct ufile *table);",
          "void file_close_all(void);",
          "int64 file_pipe(uint64 fds_va, uint64 flags);",
          "int64 file_dup3(uint64 oldfd, uint64 newfd, uint64 flags);",
          "int64 file_dup_from(uint64 oldfd, uint64 min, int cloexec);",
          "int64 file_getdents64(uint64 fd, uint64 buf, uint64 len);",
          "int64 file_readlink(uint64 path_va, uint64 buf, uint64 len);",
          "int64 file_fstat(uint64 fd, uint64 st_va);",
          "int64 file_lseek(uint64 fd, int64 offset, uint64 whence);",
          "int64 file_openat(int64 dirfd, uint64 path_va, uint64 flags);",
          "struct ufile *file_table_alloc(void);",
          "void file_table_free(struct ufile *t);",
          "int file_table_copy(struct ufile *dst, const struct ufile *src);",
          "void file_table_exec(struct ufile *t);",
          "int64 file_fd_stat(uint64 fd, uint64 *size, uint32 *mode, uint64 *rdev);",
          "int64 file_stat_at(int64 dirfd, uint64 path_va, uint64 *size, uint32 *mode);",
          "int64 file_pread(uint64 fd, uint64 buf, uint64 len, uint64 off);",
          "int64 file_pwrite(uint64 fd, uint64 buf, uint64 len, uint64 off);",
          "int64 file_ftruncate(uint64 fd, uint64 size);",
          "int64 file_unlinkat(int64 dirfd, uint64 path_va, uint64 flags);",
          "int64 file_mkdirat(int64 dirfd, uint64 path_va);",
          "int64 file_renameat(int64 olddir, uint64 old_va, int64 newdir, uint64 new_va);",
          "int64 file_accessat(int64 dirfd, uint64 path_va, uint64 mode);",
          "int64 file_chdir(uint64 path_va);",
          "int64 file_fchdir(uint64 fd);",
          "int64 file_getcwd(uint64 buf, uint64 len);",
          "int64 file_poll(uint64 fds_va, uint64 n, int64 timeout_us);",
          "int64 file_utimens(int64 dirfd, uint64 path_va);",
        ],
      ],
      [
        "core/tmpfs.c",
        [
          "struct tnode;",
          "int tmpfs_owns(const char *path);",
          "int tmpfs_same_mount(const char *a, const char *b);",
          "int tmpfs_implies_dir(const char *path);",
          "int tmpfs_mount_next(const char *dir, uint64 *cookie, char out[256]);",
          "void tmpfs_hold(struct tnode *n);",
          "void tmpfs_put(struct tnode *n);",
          "int64 tmpfs_open(const char *path, uint64 flags, struct tnode **out);",
          "int64 tmpfs_read(struct tnode *n, uint64 off, uint8 *buf, uint64 len);",
          "int64 tmpfs_write(struct tnode *n, uint64 *off, const uint8 *buf, uint64 len, int append);",
          "int64 tmpfs_truncate(struct tnode *n, uint64 size);",
          "int64 tmpfs_mkdir(const char *path);",
          "int64 tmpfs_remove(const char *path, int dir);",
          "int64 tmpfs_rename(const char *from, const char *to);",
          "void tmpfs_node_stat(struct tnode *n, uint64 *size, uint32 *mode, uint64 *ino);",
          "int64 tmpfs_stat(const char *path, uint64 *size, uint32 *mode);",
          "uint64 tmpfs_size(struct tnode *n);",
          "int tmpfs_is_dir(struct tnode *n);",
          "int tmpfs_dir_next(struct tnode *d, uint64 *cookie, char out[256], int *type);",
          "int64 tmpfs_path(struct tnode *n, char *out, uint64 room);",
        ],
      ],
      ["core/path.c", ["int64 path_clean(char *out, uint64 room, const char *dir, const char *path);", "int path_under(const char *path, const char *prefix);"]],
      ["core/initrd.c", ["int initrd_verify(const uint8 *start, uint64 len, char actual[65]);", "void initrd_accept(const uint8 *start, uint64 len);", "int initrd_lookup(const char *path, const uint8 **data, uint64 *len);", "int64 initrd_readlink(const char *path, char *out, uint64 n);", "int initrd_is_dir(const char *path);", "int initrd_dir_next(const char *dir, uint64 *cookie, char out[256], int *type);"]],
      ...(k.ipc.enable
        ? [[
            "core/ipc.c",
            [
              "void ipc_init(void);",
              "struct ipc_ring *ring_create(void);",
              "void ring_destroy(struct ipc_ring *r);",
              "uint32 ring_capacity(void);",
              "uint32 ring_push_batch(struct ipc_ring *r, const struct ipc_msg *msgs, uint32 n);",
              "uint32 ring_pop_batch(struct ipc_ring *r, struct ipc_msg *msgs, uint32 n);",
              "void ring_push(struct ipc_ring *r, const struct ipc_msg *m);",
              "void ring_pop(struct ipc_ring *r, struct ipc_msg *m);",
              "int ipc_msg_make(struct ipc_msg *m, uint16 tag, const void *data, uint64 len);",
              "const void *ipc_msg_data(const struct ipc_msg *m, uint64 *len);",
              "void ipc_msg_release(struct ipc_msg *m);",
            ],
          ] as [string, string[]]]
        : []),
      ["core/main.c", ["void kmain(uint32 magic, uint64 info);"]],
      [
        "core/printf.c",
        ["void vkprintf(const char *fmt, va_list ap);", "void vkprintf_untrusted(const char *fmt, va_list ap);", "void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));", `void panic(const char *reason) ${noreturn};`],
      ],
      [
        "core/proc.c",
        [
          "void yield(void);",
          "void thread_set_tls(uint64 base);",
          "void sched_preempt(void);",
          "void preempt_off(void);",
          "void preempt_on(void);",
          "struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);",
          "void thread_run(struct thread *t);",
          `void thread_exit(void) ${noreturn};`,
          "void thread_join(struct thread *t);", "void thread_sleep(void);", "void thread_wake(struct thread *t);", "void thread_set_space(uint64 space);", "void thread_set_syscall_entry(uint64 entry);",
        ],
      ],
      [
        "core/sched.c",
        [
          "void sched_init(void);",
          "void sched_account(struct thread *t, uint64 cycles, int preempted);",
          "void sched_enqueue(struct thread *t, int yielded);",
          "struct thread *sched_pick(void);",
          "struct thread *sched_yield_next(struct thread *t, uint64 cycles);",
          "int sched_runnable(void);",
          ...(predictive
            ? ["uint64 sched_ema(uint64 ema, uint64 sample, uint32 seen);", "uint32 sched_alpha_q16(void);", "uint32 sched_classify(uint64 ema);", "void sched_predict(struct thread *t, uint64 cycles);"]
            : []),
        ],
      ],
      [
        "core/sandbox.c",
        [
          "const struct policy *policy_find(const char *name);",
          "void sandbox_deny(uint64 cap, const char *fmt, ...) __attribute__((format(printf, 2, 3)));",
          "int64 sandbox_open(const char *path, int write);",
          ...(k.ipc.enable ? ["int64 sandbox_ipc(uint64 *users, uint64 n);"] : []),
        ],
      ],
      ...(k.testMode === "selftest" ? [["core/selftest.c", ["void selftest_run(void);"]] as [string, string[]]] : []),
      ["core/sha256.c", ["void sha256(const uint8 *data, uint64 len, uint8 out[32]);"]],
      [
        "core/linux.c",
        [
          "struct linux_sigaction {\n    uint64 handler, flags, restorer, mask;\n};",
          "/* A Linux-ABI process's state (a page of its own): brk, the mmap area's next address, signal dispositions, the syscalls it was told were missing. */",
          "struct linux_state {\n    uint64 brk_start, brk, mmap_next, sigmask, enosys_seen[8];\n    struct linux_sigaction act[64];\n};",
          "int64 linux_syscall(uint64 nr, uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 a4, uint64 a5);",
          "void linux_random(uint8 *buf, uint64 len);",
        ],
      ],
      ["core/syscall.c", ["int64 syscall_dispatch(uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 nr, uint64 a4, uint64 a5);", "uint64 syscall_first_cycles(void);"]],
      [
        "core/slab.c",
        ["uint32 kmalloc_class(uint64 size);", "uint32 slab_class_of(void *p);", "void *slab_alloc(uint32 cls);", "void slab_free(void *p);", ...(tcache ? [] : ["void *kmalloc(uint64 size);", "void kfree(void *p);"])],
      ],
      [
        "core/string.c",
        [
          "void *memset(void *dst, int c, uint64 n);",
          "void *memcpy(void *dst, const void *src, uint64 n);",
          "void *memmove(void *dst, const void *src, uint64 n);",
          "int memcmp(const void *a, const void *b, uint64 n);",
          "uint64 strlen(const char *s);",
        ],
      ],
      [
        "core/uproc.c",
        [
          "struct uproc *uproc_spawn(const char *name, uint64 caps, uint64 arg0, uint64 arg1);",
          "int64 uproc_spawn_file(const char *path, uint64 caps, uint64 arg, struct uproc **out);",
          "int64 uproc_spawn_policy(const char *path, const struct policy *policy, uint64 arg, struct uproc **out);",
          "int64 uproc_wait(struct uproc *p, int *killed);",
          "int uproc_alive(struct uproc *p);",
          "uint32 uproc_pid(void);",
          "uint64 uproc_caps(void);",
          "const struct policy *uproc_policy(void);",
          "const char *uproc_subject(void);",
          "int uproc_first_denial(uint64 cap);",
          "int64 uproc_mmap(uint64 len);",
          "int64 uproc_munmap(uint64 va, uint64 len);",
          "int64 uproc_map_at(uint64 va, uint64 len, int prot);",
          "struct linux_state *uproc_linux(void);",
          "uint64 uproc_space(void);",
          "struct ufile *uproc_files(void);",
          `void uproc_exit(int64 status) ${noreturn};`,
          `void uproc_kill(uint32 vector, uint64 pc, uint64 addr) ${noreturn};`,
          "void uproc_checkpoint(void);",
          "int64 uproc_sys_spawn(uint64 path_va, uint64 policy_va, uint64 arg);",
          "int64 uproc_sys_wait(uint64 pid, uint64 status_va);",
          "int64 uproc_sys_kill(uint64 pid);",
        ],
      ],
      ...(tcache
        ? [["core/tcache.c", ["void tcache_flush(struct thread *t);", "uint32 tcache_count(uint32 cls);", "/* kmalloc, kfree: inline in thread.h */"]] as [string, string[]]]
        : []),
    ];
    const options = [
      ...(k.ipc.enable ? ["kernel.ipc.enable"] : []),
      "kernel.scheduler.policy",
      "kernel.allocator.threadCacheObjects",
      "kernel.contextSwitch.lazyFpu",
      "kernel.testMode",
    ];
    const summary = "Functions and data shared between kernel files, grouped by the file that defines them.";
    return emit({ source, path: "include/defs.h", summary, options }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line('#include "types.h"');
      w.blank();
      w.line('#include "declarations.h" /* the port\'s own files */');
      if (tcache) w.line('#include "thread.h"     /* kmalloc and kfree, inline */');
      w.blank();
      w.line("struct thread;", "struct uproc;", "struct policy;", "struct ufile;", "struct linux_state;");
      if (k.ipc.enable) w.line("struct ipc_ring;", "struct ipc_msg;");
      for (const [file, lines] of groups) w.blank().comment(file).line(...lines);
    });
  },
};
