// arch/riscv64/timer.c: the preemption tick. The SBI's TIME extension
// (sbi_set_timer) arms the supervisor timer interrupt for a value of the time
// CSR, which counts at the device tree's timebase-frequency (memmap.c reads
// it into timebase_per_us); each interrupt arms the next one a timeslice
// later. arch_cycles is the cycle CSR, finer than the 10 MHz timebase (one
// per instruction under QEMU -icount): its rate is measured here, over 1 ms.
import type { KernelTemplateInput } from "../../input.ts";
import { inlineDefines, timesliceRow } from "../../params.ts";
import { emit, type Template } from "../../template.ts";

const source = "arch/riscv64/timer.ts";

/** QEMU virt's timebase-frequency, used until (or unless) the device tree says otherwise. */
export const DEFAULT_TIMEBASE_HZ = 10_000_000;

export const timer: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const summary = "The timebase (time CSR ticks per microsecond) and the SBI timer interrupt every timeslice that preempts threads.";
    return emit({ source, path: "arch/riscv64/timer.c", summary, options: ["kernel.scheduler.timesliceUs"] }, (w) => {
      w.line('#include "types.h"', '#include "riscv.h"', '#include "arch.h"', '#include "defs.h"');
      w.blank();
      w.line(...inlineDefines([timesliceRow(k)]));
      w.blank();
      w.c`
        /* Time CSR ticks per microsecond: QEMU virt's 10 MHz until memmap.c reads the device tree's timebase-frequency. */
        uint64 timebase_per_us = ${DEFAULT_TIMEBASE_HZ / 1_000_000};
        /* Cycle CSR ticks per microsecond, measured by arch_timer_init. */
        uint64 cycles_per_us = 1;
        volatile uint64 ticks;
        /* For the scheduler's banner: read at run time, so a new timeslice recompiles only this file. */
        const uint32 timeslice_us = EXO_SCHED_TIMESLICE_US;
        static uint64 slice; /* time CSR ticks per timeslice */

        /* Arm the supervisor timer interrupt for when the time CSR reaches when (SBI TIME, function 0). */
        static void sbi_set_timer(uint64 when)
        {
            sbi_call(SBI_EXT_TIME, 0, when, 0, 0, NULL);
        }

        /* Start the tick: the first interrupt a timeslice from now, taken once interrupts are on. */
        void arch_timer_init(void)
        {
            uint64 t0 = rdtime(), c0 = rdcycle();
            while (rdtime() - t0 < timebase_per_us * 1000)
                cpu_relax();
            uint64 per_us = (rdcycle() - c0) / 1000;
            cycles_per_us = per_us > 0 ? per_us : 1;
            slice = timebase_per_us * EXO_SCHED_TIMESLICE_US;
            sbi_set_timer(rdtime() + slice);
            csr_set(sie, SIE_STIE);
            kprintf("exo: timer: sbi every %u us, timebase %u MHz, %u cycles per us\n", (uint32)EXO_SCHED_TIMESLICE_US, (uint32)timebase_per_us, (uint32)cycles_per_us);
        }

        /* The timer interrupt, from trap() with interrupts off: arm the next one, count the tick, preempt. */
        void timer_intr(void)
        {
            sbi_set_timer(rdtime() + slice);
            ticks++;
            sched_preempt();
        }
      `;
    });
  },
};
