// arch/x86_64/timer.c: the legacy 8259 PIC and the 8254 PIT. The PIT's
// channel 2 calibrates the TSC once; channel 0 then interrupts every
// timeslice on IRQ 0 (vector 32), which drives preemption.
import type { KernelTemplateInput } from "../../input.ts";
import { inlineDefines, timesliceRow } from "../../params.ts";
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/timer.ts";

const PIT_HZ = 1193182;

export const timer: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    // The PIT counts 16 bits: a timeslice longer than 65535 PIT ticks takes several interrupts.
    const divisor = Math.round((PIT_HZ * k.scheduler.timesliceUs) / 1e6);
    const perSlice = Math.ceil(divisor / 65535);
    const summary = "PIC remapping, TSC calibration against the PIT, and the periodic PIT interrupt that preempts threads.";
    return emit({ source, path: "arch/x86_64/timer.c", summary, options: ["kernel.scheduler.timesliceUs"] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "defs.h"');
      w.blank();
      w.line(...inlineDefines([timesliceRow(k)]));
      w.blank();
      w.line(`#define PIC1 0x20 /* command; data at +1 */
#define PIC2 0xa0
#define PIC_EOI 0x20
#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61 /* bit 0 gates channel 2, bit 5 is its output */
#define PIT_HZ ${PIT_HZ}
#define CALIBRATE_US 2000`);
      w.blank();
      w.comment(`EXO_SCHED_TIMESLICE_US in PIT ticks, split into ${perSlice} interrupt(s) of at most 65535 ticks.`);
      w.line(`#define TICKS_PER_SLICE ${perSlice}`, "#define PIT_DIVISOR ((PIT_HZ * (uint64)EXO_SCHED_TIMESLICE_US + 500000) / 1000000 / TICKS_PER_SLICE)");
      w.blank();
      w.line("uint64 cycles_per_us = 1;", "volatile uint64 ticks;", "static uint32 slice_ticks;");
      w.comment("For the scheduler's banner: read at run time, so a new timeslice recompiles only this file.");
      w.line("const uint32 timeslice_us = EXO_SCHED_TIMESLICE_US;");
      w.blank();
      w.comment("Move the PICs' vectors above the exceptions (IRQ n -> 32 + n) and mask every line but the PIT's.");
      w.fn("static void pic_init(void)", () => {
        w.c`
          /* ICW1: init, ICW4 follows */
          outb(PIC1, 0x11);
          outb(PIC2, 0x11);
          /* ICW2: vector offsets */
          outb(PIC1 + 1, 32);
          outb(PIC2 + 1, 40);
          /* ICW3: the slave is on IRQ 2 */
          outb(PIC1 + 1, 4);
          outb(PIC2 + 1, 2);
          /* ICW4: 8086 mode */
          outb(PIC1 + 1, 1);
          outb(PIC2 + 1, 1);
          /* only IRQ 0 */
          outb(PIC1 + 1, 0xfe);
          outb(PIC2 + 1, 0xff);
        `;
      });
      w.blank();
      w.comment("End of interrupt for IRQ irq; the slave's lines need both PICs told.");
      w.fn("void pic_eoi(uint32 irq)", () => {
        w.line("if (irq >= 8)").indent(() => w.line("outb(PIC2, PIC_EOI);"));
        w.line("outb(PIC1, PIC_EOI);");
      });
      w.blank();
      w.comment(
        "Count TSC cycles over CALIBRATE_US of PIT channel 2 (one-shot, mode 0).",
        "Under QEMU -icount both clocks follow the instruction count, so the",
        "result is the same on every run.",
      );
      w.fn("static void calibrate_tsc(void)", () => {
        w.line(`uint16 count = PIT_HZ / 1000 * CALIBRATE_US / 1000;
outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
outb(PIT_CMD, 0xb0); /* channel 2, low then high byte, mode 0 */
outb(PIT_CH2, count & 0xff);
outb(PIT_CH2, count >> 8);
uint64 start = rdtsc();
while ((inb(PIT_GATE) & 0x20) == 0)
    cpu_relax();
uint64 cycles = rdtsc() - start;
cycles_per_us = cycles / CALIBRATE_US > 0 ? cycles / CALIBRATE_US : 1;`);
      });
      w.blank();
      w.comment("Calibrate the TSC, then start the periodic interrupt (taken once interrupts are on).");
      w.fn("void timer_init(void)", () => {
        w.line(`pic_init();
calibrate_tsc();
outb(PIT_CMD, 0x34); /* channel 0, low then high byte, mode 2 (rate generator) */
outb(PIT_CH0, PIT_DIVISOR & 0xff);
outb(PIT_CH0, PIT_DIVISOR >> 8);
kprintf("exo: timer: pit every %u us, tsc %u MHz\\n", (uint32)EXO_SCHED_TIMESLICE_US / TICKS_PER_SLICE, (uint32)cycles_per_us);`);
      });
      w.blank();
      w.comment("IRQ 0, from trap() with interrupts off: count the tick, and preempt at the end of a timeslice.");
      w.fn("void timer_intr(void)", () => {
        w.line("ticks++;", "pic_eoi(0);");
        w.line("if (++slice_ticks >= TICKS_PER_SLICE) {").indent(() => w.line("slice_ticks = 0;", "sched_preempt();"));
        w.line("}");
      });
    });
  },
};
