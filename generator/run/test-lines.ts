// Read the kernel's own report lines from its serial console:
// `EXO-TEST <name> ok|FAIL [detail]` and `EXO-BENCH <name> <value> <unit>`.

export interface TestLine {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface BenchLine {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

export function parseTestLines(output: string): TestLine[] {
  return [...output.matchAll(/^EXO-TEST (\S+) (ok|FAIL)(?: (.*))?$/gm)].map((m) => ({ name: m[1]!, ok: m[2] === "ok", detail: m[3] ?? "" }));
}

export function parseBenchLines(output: string): BenchLine[] {
  return [...output.matchAll(/^EXO-BENCH (\S+) (\d+(?:\.\d+)?) (\S+)$/gm)].map((m) => ({ name: m[1]!, value: Number(m[2]), unit: m[3]! }));
}
