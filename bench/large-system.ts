// A generated system for the evaluation benchmark: `count` modules, each
// declaring two options and making ten definitions: plain values, list
// elements for other modules' lists, priorities, and lazy conditions that
// read other modules' options.
import { z } from "zod";
import { mkDefault, mkIf } from "../generator/eval/markers.ts";
import type { Module } from "../generator/eval/module.ts";
import { option } from "../schemas/option.ts";

export function largeSystem(count: number): Module[] {
  const modules: Module[] = [];
  for (let i = 0; i < count; i++) {
    const name = `m${i}`;
    const next = `m${(i + 1) % count}`;
    const options = {
      bench: {
        [name]: {
          level: option({ type: z.number().int(), default: 0, description: "A number.", example: 1 }),
          tags: option({ type: z.array(z.string()), default: [], description: "A list.", example: ["x"] }),
        },
      },
    };
    const definitions: unknown[] = [
      { bench: { [name]: { level: mkDefault(i) } } },
      { bench: { [name]: { level: i } } },
      ...Array.from({ length: 7 }, (_, k) => ({ bench: { [`m${(i + k * 131) % count}`]: { tags: [`${name}-${k}`] } } })),
      // Lazy: reads another module's level, which is plain data, so no cycle.
      mkIf((config: Record<string, unknown>) => ((config.bench as Record<string, { level: number }>)[next]!.level % 2) === 0, { bench: { [next]: { tags: [`even-from-${name}`] } } }),
    ];
    modules.push({ kind: "module", file: `/bench/${name}.ts`, line: 1, options, config: { _type: "merge", contents: definitions } as unknown as Module["config"] });
  }
  return modules;
}
