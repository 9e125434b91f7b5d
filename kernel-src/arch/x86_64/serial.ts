// arch/x86_64/serial.c: the console, a 16550 UART on COM1, polled.
import type { KernelTemplateInput } from "../../input.ts";
import { inlineDefines } from "../../params.ts";
import { emit, type Template } from "../../template.ts";
import { alignColumns } from "../../writer.ts";

const source = "arch/x86_64/serial.ts";

export const serial: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const summary = "The boot console: the 16550 UART on COM1 at kernel.console.baud, 8N1, polled (no interrupts yet).";
    return emit({ source, path: "arch/x86_64/serial.c", summary, options: ["kernel.console.baud"] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "defs.h"');
      w.blank();
      w.line(...inlineDefines([["EXO_CONSOLE_BAUD", k.console.baud, "kernel.console.baud"]]));
      w.blank();
      w.comment("I/O port of COM1, and the UART's registers as offsets from it.");
      w.line(
        ...alignColumns([
          ["#define", "COM1", "0x3f8", ""],
          ["#define", "UART_THR", "0", "/* transmit holding (write) */"],
          ["#define", "UART_DLL", "0", "/* divisor latch, low byte (while LCR_DLAB) */"],
          ["#define", "UART_IER", "1", "/* interrupt enable */"],
          ["#define", "UART_DLM", "1", "/* divisor latch, high byte (while LCR_DLAB) */"],
          ["#define", "UART_FCR", "2", "/* FIFO control */"],
          ["#define", "UART_LCR", "3", "/* line control */"],
          ["#define", "UART_MCR", "4", "/* modem control */"],
          ["#define", "UART_LSR", "5", "/* line status */"],
          ["#define", "LCR_8N1", "0x03", "/* 8 data bits, no parity, 1 stop bit */"],
          ["#define", "LCR_DLAB", "0x80", "/* divisor latch access */"],
          ["#define", "FCR_ENABLE", "0xc7", "/* FIFOs on and cleared, 14-byte trigger */"],
          ["#define", "MCR_DTR_RTS", "0x03", ""],
          ["#define", "LSR_THR_EMPTY", "0x20", "/* ready for the next byte */"],
          ["#define", "UART_CLOCK", "115200", "/* the divisor is UART_CLOCK / baud */"],
        ]),
      );
      w.blank();
      w.line('_Static_assert(UART_CLOCK % EXO_CONSOLE_BAUD == 0, "kernel.console.baud divides the UART clock");');
      w.blank();
      w.comment("Program COM1 for EXO_CONSOLE_BAUD, 8N1, FIFOs on, interrupts off (the console polls).");
      w.fn("void uart_init(void)", () => {
        w.line("uint16 divisor = UART_CLOCK / EXO_CONSOLE_BAUD;");
        w.blank();
        w.line(
          "outb(COM1 + UART_IER, 0);",
          "outb(COM1 + UART_LCR, LCR_DLAB);",
          "outb(COM1 + UART_DLL, divisor & 0xff);",
          "outb(COM1 + UART_DLM, divisor >> 8);",
          "outb(COM1 + UART_LCR, LCR_8N1);",
          "outb(COM1 + UART_FCR, FCR_ENABLE);",
          "outb(COM1 + UART_MCR, MCR_DTR_RTS);",
        );
      });
      w.blank();
      w.comment("Send one byte, waiting until the UART can take it. Bytes go out as given: '\\n' stays '\\n'.");
      w.fn("void uart_putc(int c)", () => {
        w.line("while ((inb(COM1 + UART_LSR) & LSR_THR_EMPTY) == 0)").indent(() => w.line("cpu_relax();"));
        w.line("outb(COM1 + UART_THR, (uint8)c);");
      });
    });
  },
};
