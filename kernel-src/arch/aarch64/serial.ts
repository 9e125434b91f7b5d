// arch/aarch64/serial.c: the console, QEMU virt's PL011 UART, polled.
import { emit, type Template } from "../../template.ts";
import { alignColumns } from "../../writer.ts";

const source = "arch/aarch64/serial.ts";

export const serial: Template = {
  source,
  render() {
    const summary = "The boot console: the PL011 UART at UART_PHYS, polled (no interrupts); QEMU's needs no baud setup.";
    return emit({ source, path: "arch/aarch64/serial.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "memlayout.h"', '#include "defs.h"');
      w.blank();
      w.comment("PL011 registers, as offsets from UART_PHYS.");
      w.line(
        ...alignColumns([
          ["#define", "UART_DR", "0x00", "/* data */"],
          ["#define", "UART_FR", "0x18", "/* flags */"],
          ["#define", "UART_CR", "0x30", "/* control */"],
          ["#define", "FR_TXFF", "(1 << 5)", "/* transmit FIFO full */"],
          ["#define", "CR_ON", "0x301", "/* UARTEN, TXE, RXE */"],
        ]),
      );
      w.line("#define UART(off) ((volatile uint32 *)((uint8 *)P2V(UART_PHYS) + (off)))");
      w.blank();
      w.comment("Transmit and receive on (firmware may have left it off).");
      w.fn("void uart_init(void)", () => w.line("*UART(UART_CR) = CR_ON;"));
      w.blank();
      w.comment("Send one byte, waiting while the FIFO is full. Bytes go out as given: '\\n' stays '\\n'.");
      w.fn("void uart_putc(int c)", () => {
        w.line("while (*UART(UART_FR) & FR_TXFF)").indent(() => w.line("cpu_relax();"));
        w.line("*UART(UART_DR) = (uint8)c;");
      });
    });
  },
};
