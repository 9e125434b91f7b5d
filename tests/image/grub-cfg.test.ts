// The GRUB menu's wait: none for a menu with one entry, the configured
// timeout once older generations (exo switch) make it a choice.
import test from "ava";
import { GENERATIONS_CFG, generationsConfig, grubConfig } from "../../generator/image/grub-cfg.ts";
import { effectiveMenu } from "./grub-menu.ts";

const own = { title: "Exo box (config 0123456789ab)", kernel: "/boot/kernel.elf", initrd: "/boot/initrd.tar" };
const older = generationsConfig([
  { number: 1, system: "box", configHash: "a".repeat(64) },
  { number: 2, system: "box", configHash: "b".repeat(64) },
]);
const image = (files: Record<string, string>) => (path: string) => files[path];

for (const seconds of [0, 1, 7]) {
  test(`one entry boots at once whatever bootTimeoutSeconds says (${seconds})`, (t) => {
    const cfg = grubConfig({ baud: 115200, timeoutSeconds: seconds, entries: [own] });
    const menu = effectiveMenu(cfg, image({}));
    t.deepEqual(menu.titles, [own.title]);
    t.is(menu.timeout, 0);
    t.not(menu.style, "hidden", "timeout_style=hidden made GRUB 2.06 ~3.5 s slower; timeout 0 draws nothing already");
  });

  test(`older generations make a choice, and the menu waits bootTimeoutSeconds (${seconds})`, (t) => {
    const cfg = grubConfig({ baud: 115200, timeoutSeconds: seconds, entries: [own] });
    const menu = effectiveMenu(cfg, image({ [`/${GENERATIONS_CFG}`]: older }));
    t.deepEqual(menu.titles, [own.title, "Exo box generation 2 (config bbbbbbbbbbbb)", "Exo box generation 1 (config aaaaaaaaaaaa)"]);
    t.is(menu.timeout, seconds);
  });
}

test("a grub.cfg of several entries of its own is a choice too", (t) => {
  const cfg = grubConfig({ baud: 115200, timeoutSeconds: 4, entries: [own, { ...own, title: "Exo box, again" }] });
  t.is(effectiveMenu(cfg, image({})).timeout, 4);
});

test("the reader refuses script it does not know, so a change to grub.cfg cannot be misread", (t) => {
  t.throws(() => effectiveMenu("set timeout=0\nsleep 5\n", image({})), { message: /does not know: sleep 5/ });
  t.throws(() => effectiveMenu("source /nothing.cfg\n", image({})), { message: /no such file/ });
});
