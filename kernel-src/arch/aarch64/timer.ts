// arch/aarch64/timer.c: the GICv2 of QEMU virt and the EL1 physical timer
// (CNTP, PPI 14 = INTID 30). The PMU's cycle counter (arch_cycles) is measured
// against the generic timer, whose rate CNTFRQ_EL0 gives, for cycles_per_us;
// CNTP interrupts every timeslice, which drives preemption.
import type { KernelTemplateInput } from "../../input.ts";
import { inlineDefines, timesliceRow } from "../../params.ts";
import { emit, type Template } from "../../template.ts";
import { alignColumns } from "../../writer.ts";

const source = "arch/aarch64/timer.ts";

export const timer: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const summary = "The GICv2 distributor and CPU interface, cycles_per_us from CNTFRQ_EL0, and the periodic EL1 physical timer interrupt that preempts threads.";
    return emit({ source, path: "arch/aarch64/timer.c", summary, options: ["kernel.scheduler.timesliceUs"] }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "memlayout.h"');
      w.blank();
      w.line(...inlineDefines([timesliceRow(k)]));
      w.blank();
      w.comment("GICv2 registers, as offsets from the distributor and the CPU interface.");
      w.line(
        ...alignColumns([
          ["#define", "GICD_CTLR", "0x000", "/* distributor on */"],
          ["#define", "GICD_ISENABLER", "0x100", "/* one bit an INTID: enable */"],
          ["#define", "GICD_IPRIORITYR", "0x400", "/* one byte an INTID */"],
          ["#define", "GICC_CTLR", "0x000", "/* CPU interface on */"],
          ["#define", "GICC_PMR", "0x004", "/* priority mask: lower numbers pass */"],
          ["#define", "GICC_IAR", "0x00c", "/* acknowledge: the INTID (and source CPU) */"],
          ["#define", "GICC_EOIR", "0x010", "/* end of interrupt: the IAR value back */"],
          ["#define", "CNTP_CTL_ENABLE", "1", "/* CNTP_CTL_EL0: on, interrupt not masked */"],
        ]),
      );
      w.line("#define CALIBRATE_US 1000 /* how long the cycle counter is measured against the generic timer */");
      w.line("#define GICD(off) ((volatile uint32 *)((uint8 *)P2V(GICD_PHYS) + (off)))");
      w.line("#define GICC(off) ((volatile uint32 *)((uint8 *)P2V(GICC_PHYS) + (off)))");
      w.blank();
      w.line("uint64 cycles_per_us = 1;", "volatile uint64 ticks;", "static uint64 slice_cycles; /* generic-timer ticks a timeslice */");
      w.comment("For the scheduler's banner: read at run time, so a new timeslice recompiles only this file.");
      w.line("const uint32 timeslice_us = EXO_SCHED_TIMESLICE_US;");
      w.blank();
      w.comment("Acknowledge the highest pending interrupt: its IAR value (INTID in bits 0-9; 1020-1023 none).");
      w.fn("uint32 gic_ack(void)", () => w.line("return *GICC(GICC_IAR);"));
      w.blank();
      w.comment("End the interrupt iar (gic_ack's value), so the GIC may signal it again.");
      w.fn("void gic_eoi(uint32 iar)", () => w.line("*GICC(GICC_EOIR) = iar;"));
      w.blank();
      w.comment("Distributor and CPU interface on, every priority let through, the timer's INTID enabled at priority 0x80.");
      w.fn("static void gic_init(void)", () => {
        w.c`
          *GICD(GICD_CTLR) = 0;
          *GICD(GICD_ISENABLER + 4 * (TIMER_INTID / 32)) = 1u << (TIMER_INTID % 32);
          volatile uint8 *prio = (volatile uint8 *)GICD(GICD_IPRIORITYR);
          prio[TIMER_INTID] = 0x80;
          *GICD(GICD_CTLR) = 1;
          *GICC(GICC_PMR) = 0xff;
          *GICC(GICC_CTLR) = 1;
        `;
      });
      w.blank();
      w.comment(
        "Count cycles over CALIBRATE_US of the generic timer (CNTVCT_EL0 at CNTFRQ_EL0 Hz).",
        "Under QEMU -icount both follow the instruction count, so the result is the same",
        "on every run.",
      );
      w.fn("static void calibrate_cycles(uint64 hz)", () => {
        w.c`
          uint64 span = hz / 1000000 * CALIBRATE_US;
          isb();
          uint64 t0 = read_sysreg(cntvct_el0), c0 = arch_cycles();
          while (read_sysreg(cntvct_el0) - t0 < span)
              isb();
          uint64 cycles = arch_cycles() - c0;
          cycles_per_us = cycles / CALIBRATE_US > 0 ? cycles / CALIBRATE_US : 1;
        `;
      });
      w.blank();
      w.comment("The cycle counter's rate, the GIC, then the first timeslice (taken once interrupts are on).");
      w.fn("void timer_init(void)", () => {
        w.c`
          uint64 hz = read_sysreg(cntfrq_el0);
          calibrate_cycles(hz);
          slice_cycles = hz * EXO_SCHED_TIMESLICE_US / 1000000;
          gic_init();
          write_sysreg(cntp_tval_el0, slice_cycles);
          write_sysreg(cntp_ctl_el0, CNTP_CTL_ENABLE);
          isb();
          kprintf("exo: timer: cntp every %u us, counter %u kHz, cycles %u MHz\n", (uint32)EXO_SCHED_TIMESLICE_US, (uint32)(hz / 1000), (uint32)cycles_per_us);
        `;
      });
      w.blank();
      w.comment("INTID 30, from trap() with IRQs masked and the interrupt ended: count the tick, arm the next one, preempt.");
      w.fn("void timer_intr(void)", () => {
        w.line("ticks++;", "write_sysreg(cntp_tval_el0, slice_cycles);", "sched_preempt();");
      });
    });
  },
};
