// arch/riscv64/serial.c: the console, QEMU virt's NS16550A UART at physical
// 0x10000000 (through the direct map), polled.
import type { KernelTemplateInput } from "../../input.ts";
import { inlineDefines } from "../../params.ts";
import { emit, type Template } from "../../template.ts";
import { alignColumns } from "../../writer.ts";

const source = "arch/riscv64/serial.ts";

export const serial: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const summary = "The boot console: QEMU virt's NS16550A UART at kernel.console.baud, 8N1, polled (no interrupts).";
    return emit({ source, path: "arch/riscv64/serial.c", summary, options: ["kernel.console.baud"] }, (w) => {
      w.line('#include "types.h"', '#include "riscv.h"', '#include "memlayout.h"', '#include "defs.h"');
      w.blank();
      w.line(...inlineDefines([["EXO_CONSOLE_BAUD", k.console.baud, "kernel.console.baud"]]));
      w.blank();
      w.comment("The UART's physical address on QEMU virt, and its registers as byte offsets from it.");
      w.line(
        ...alignColumns([
          ["#define", "UART0", "0x10000000UL", ""],
          ["#define", "UART_THR", "0", "/* transmit holding (write) */"],
          ["#define", "UART_DLL", "0", "/* divisor latch, low byte (while LCR_DLAB) */"],
          ["#define", "UART_IER", "1", "/* interrupt enable */"],
          ["#define", "UART_DLM", "1", "/* divisor latch, high byte (while LCR_DLAB) */"],
          ["#define", "UART_FCR", "2", "/* FIFO control */"],
          ["#define", "UART_LCR", "3", "/* line control */"],
          ["#define", "UART_LSR", "5", "/* line status */"],
          ["#define", "LCR_8N1", "0x03", "/* 8 data bits, no parity, 1 stop bit */"],
          ["#define", "LCR_DLAB", "0x80", "/* divisor latch access */"],
          ["#define", "FCR_ENABLE", "0x07", "/* FIFOs on and cleared */"],
          ["#define", "LSR_THR_EMPTY", "0x20", "/* ready for the next byte */"],
          ["#define", "UART_CLOCK", "3686400", "/* a 16550 clock of 3.6864 MHz: the divisor is UART_CLOCK / (16 * baud) (QEMU ignores it) */"],
        ]),
      );
      w.blank();
      w.c`
        _Static_assert(UART_CLOCK % (16 * EXO_CONSOLE_BAUD) == 0, "kernel.console.baud divides the UART clock");

        static volatile uint8 *const uart = (volatile uint8 *)(KERNBASE + UART0);

        /* Program the UART for EXO_CONSOLE_BAUD, 8N1, FIFOs on, interrupts off (the console polls). */
        void uart_init(void)
        {
            uint16 divisor = UART_CLOCK / (16 * EXO_CONSOLE_BAUD);
            uart[UART_IER] = 0;
            uart[UART_LCR] = LCR_DLAB;
            uart[UART_DLL] = divisor & 0xff;
            uart[UART_DLM] = divisor >> 8;
            uart[UART_LCR] = LCR_8N1;
            uart[UART_FCR] = FCR_ENABLE;
        }

        /* Send one byte, waiting until the UART can take it. Bytes go out as given: '\n' stays '\n'. */
        void arch_console_putc(int c)
        {
            while ((uart[UART_LSR] & LSR_THR_EMPTY) == 0)
                cpu_relax();
            uart[UART_THR] = (uint8)c;
        }
      `;
    });
  },
};
