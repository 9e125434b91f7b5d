// The serial console as `exo run` shows it: the kernel's output only. What
// comes before the kernel's first line (OVMF's and GRUB's screens, full of
// escape sequences) is held back, and written to a firmware log if one is
// asked for.
export const KERNEL_FIRST_LINE = "exo: booting ";

export interface ConsoleSplit {
  /** Feed serial output as it arrives. */
  write(text: string): void;
  /** Everything the firmware and the boot loader printed. */
  readonly firmware: () => string;
}

export function splitConsole(kernel: (text: string) => void): ConsoleSplit {
  let before = "";
  let started = false;
  return {
    write(text) {
      if (started) return kernel(text);
      before += text;
      const at = before.indexOf(KERNEL_FIRST_LINE);
      if (at === -1) return;
      started = true;
      kernel(before.slice(at));
      before = before.slice(0, at);
    },
    firmware: () => before,
  };
}
