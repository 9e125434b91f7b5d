// The live progress line: elapsed time, a rough estimate of what is left,
// and the whole line on a terminal that reports no width.
import test from "ava";
import { progressReporter } from "../../generator/cli/progress.ts";

function fakeTerminal(columns: number) {
  const written: string[] = [];
  return { stream: { isTTY: true, columns, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream, written };
}

test("the status line shows elapsed time and what is left at the pace so far", (t) => {
  let clock = 0;
  const { stream, written } = fakeTerminal(200);
  const progress = progressReporter(stream, () => clock);
  progress.onEvent({ type: "plan", total: 4 });
  progress.onEvent({ type: "building", id: "kernel" });
  clock = 2000;
  progress.onEvent({ type: "built", id: "kernel", path: "x-kernel", ms: 2000 });
  t.regex(written.at(-1)!, /\[1\/4\] 2\.0 s, ~6\.0 s left 1 built, 0 reused/);
});

test("a terminal that reports 0 columns gets the full line, not 20 characters", (t) => {
  const { stream, written } = fakeTerminal(0);
  const progress = progressReporter(stream, () => 0);
  progress.onEvent({ type: "plan", total: 43 });
  progress.onEvent({ type: "building", id: "kernel-sources" });
  t.regex(written.at(-1)!, /building kernel-sources$/);
});
