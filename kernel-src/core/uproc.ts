// core/uproc.c: user processes. A process is a kernel thread with an address
// space of its own (arch/x86_64/vm.c), a set of capabilities and an exit
// status; it runs the built-in user program (initcode.S) in user mode. A fault
// in user mode kills the process, never the kernel.
import { emit, type Template } from "../template.ts";

const source = "core/uproc.ts";

export const uproc: Template = {
  source,
  render() {
    const summary = "User processes: spawn into user mode with their own page tables and capabilities, exit, kill on a fault, wait.";
    return emit({ source, path: "core/uproc.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.line(`struct uproc {
    struct thread *thread;
    uint64 pml4;      /* its address space */
    uint64 caps;      /* CAP_* bits (core/syscall.c) it holds */
    uint64 arg0, arg1;
    int64 status;     /* exit status; -1 when killed */
    int killed;
    uint32 pid;
};`);
      w.blank();
      w.line("extern const char initcode_start[], initcode_end[];", "static uint32 next_pid = 1;");
      w.blank();
      w.comment("The new process's kernel thread: straight to user mode at the start of initcode.");
      w.fn("static void uproc_main(void *arg)", () => {
        w.line("struct uproc *p = arg;", "enter_user(USER_BASE, USER_STACK_TOP, p->arg0, p->arg1);");
      });
      w.blank();
      w.comment(
        "Start a process running initcode with arguments arg0, arg1 and",
        "capabilities caps. Returns NULL when memory is out.",
      );
      w.fn("struct uproc *uproc_spawn(const char *name, uint64 caps, uint64 arg0, uint64 arg1)", () => {
        w.line(`struct uproc *p = kmalloc(sizeof *p);
void *code = page_alloc(0), *stack = page_alloc(0);
if (p == NULL || code == NULL || stack == NULL)
    return NULL;
memset(p, 0, sizeof *p);
p->pml4 = uvm_create();
if (p->pml4 == 0)
    return NULL;
_Static_assert(USER_SIZE >= 2 * 4096, "the user window holds code and stack");
memcpy(code, initcode_start, (uint64)(initcode_end - initcode_start));
uvm_map(p->pml4, USER_BASE, code, 0);
uvm_map(p->pml4, USER_STACK_TOP - 4096, stack, 1);
p->caps = caps;
p->arg0 = arg0;
p->arg1 = arg1;
p->pid = next_pid++;
p->thread = thread_create(name, uproc_main, p);
if (p->thread == NULL)
    return NULL;
p->thread->cr3 = p->pml4;
p->thread->proc = p;
thread_run(p->thread);
return p;`);
      });
      w.blank();
      w.comment("Wait for p to end; free it. Returns its exit status; *killed says whether a fault ended it.");
      w.fn("int64 uproc_wait(struct uproc *p, int *killed)", () => {
        w.line(`thread_join(p->thread);
int64 status = p->status;
*killed = p->killed;
uvm_free(p->pml4);
kfree(p);
return status;`);
      });
      w.blank();
      w.comment("Whether p is still running (or runnable): it has not exited nor been killed.");
      w.fn("int uproc_alive(struct uproc *p)", () => w.line("return p->thread->state != T_DEAD;"));
      w.blank();
      w.fn("uint32 uproc_pid(void)", () => w.line("return ((struct uproc *)curthread->proc)->pid;"));
      w.fn("uint64 uproc_caps(void)", () => w.line("return ((struct uproc *)curthread->proc)->caps;"));
      w.fn("uint64 uproc_pml4(void)", () => w.line("return ((struct uproc *)curthread->proc)->pml4;"));
      w.blank();
      w.comment("The exit syscall: record the status and end the thread.");
      w.fn("void uproc_exit(int64 status)", () => {
        w.line("((struct uproc *)curthread->proc)->status = status;", "thread_exit();");
      });
      w.blank();
      w.comment("An exception in user mode (from trap): report it and end the process; the kernel carries on.");
      w.fn("void uproc_kill(uint32 vector, uint64 rip, uint64 cr2)", () => {
        w.line(`struct uproc *p = curthread->proc;
kprintf("exo: proc %u killed: exception %u at rip %p cr2 %p\\n", p->pid, vector, (void *)rip, (void *)cr2);
p->killed = 1;
p->status = -1;
thread_exit();`);
      });
    });
  },
};
