// exo run shows the kernel's console only; what the firmware and GRUB print
// before it is held back for --firmware-log.
import test from "ava";
import { splitConsole } from "../../generator/run/console.ts";

test("output before the kernel's first line is held back, even when the line arrives in pieces", (t) => {
  let shown = "";
  const console = splitConsole((text) => (shown += text));
  for (const piece of ["\x1b[2J\x1b[01;01HBdsDxe: loading Boot0001\r\n", "GRUB menu\x1b[0m\nexo: boo", "ting server (x86_64)\n", "exo: boot complete\n"]) console.write(piece);
  t.is(shown, "exo: booting server (x86_64)\nexo: boot complete\n");
  t.is(console.firmware(), "\x1b[2J\x1b[01;01HBdsDxe: loading Boot0001\r\nGRUB menu\x1b[0m\n");
});

test("a kernel that prints at once shows everything", (t) => {
  let shown = "";
  const console = splitConsole((text) => (shown += text));
  console.write("exo: booting x (x86_64)\nrest\n");
  t.is(shown, "exo: booting x (x86_64)\nrest\n");
  t.is(console.firmware(), "");
});
