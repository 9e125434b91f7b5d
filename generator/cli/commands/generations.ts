// exo generations [list] [--json] | exo generations delete N... | --older-than DAYS:
// list the recorded generations, marking the current one, or delete some.
import { readCurrent } from "../../generations/pointer.ts";
import { listRecords } from "../../generations/record.ts";
import { deleteGenerations, olderThan, parseGenerationNumber } from "../../generations/switch.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand } from "../command.ts";
import { GENERATIONS_FLAG, STORE_FLAG } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

const list = defineCommand({
  name: "generations list",
  summary: "List the recorded generations, marking the current one.",
  flags: {
    json: { type: "boolean", description: "a JSON document (schema exo.generations/v1), sorted by number" },
    ...STORE_FLAG,
    ...GENERATIONS_FLAG,
  },
  async run({ values }) {
    const project = await projectOf(values);
    const current = await readCurrent(project.generations);
    const records = await listRecords(project.generations);
    if (values.json) {
      printJson({
        schema: JSON_SCHEMAS.generations,
        current: current ?? null,
        generations: records.map((r) => ({ number: r.number, current: r.number === current, createdAt: r.createdAt, profile: r.profile, configHash: r.configHash, systemHash: r.systemHash ?? null, storePath: r.storePath, message: r.message, banner: r.banner })),
      });
      return 0;
    }
    if (records.length === 0) {
      process.stdout.write("no generations yet; `exo switch PROFILE` makes one\n");
      return 0;
    }
    for (const r of records) {
      const mark = r.number === current ? "*" : " ";
      process.stdout.write(`${mark} ${String(r.number).padStart(3)}  ${r.createdAt}  ${r.profile}  ${r.storePath}${r.message ? `  "${r.message}"` : ""}${r.number === current ? "  (current)" : ""}\n`);
    }
    return 0;
  },
});

const remove = defineCommand({
  name: "generations delete",
  summary: "Delete generations, by number or by age; never the current one. `exo gc` then frees their store paths.",
  positionals: [{ name: "N", description: "a generation number (see `exo generations`)", optional: true, variadic: true }],
  flags: {
    "older-than": { type: "string", value: "DAYS", description: "every generation recorded more than DAYS days ago, except the current one" },
    ...STORE_FLAG,
    ...GENERATIONS_FLAG,
  },
  async run({ values, positionals, usageError }) {
    const project = await projectOf(values);
    let numbers: number[];
    if (values["older-than"] !== undefined) {
      const days = Number(values["older-than"]);
      if (positionals.length > 0 || !(days >= 0)) throw usageError(`--older-than expects a number of days and no generation numbers, got '${values["older-than"]}'${positionals.length ? ` and ${positionals.join(" ")}` : ""}`);
      numbers = await olderThan(project, days, new Date());
    } else {
      if (positionals.length === 0) throw usageError("`generations delete` needs generation numbers or --older-than DAYS");
      numbers = positionals.map(parseGenerationNumber);
    }
    const deleted = await deleteGenerations(project, numbers);
    process.stdout.write(deleted.length ? `deleted generations ${deleted.join(", ")}\n` : "no generation to delete\n");
    return 0;
  },
});

export default defineCommand({
  name: "generations",
  summary: "List the system generations, marking the current one; `delete` removes some (never the current one).",
  subcommands: { list, delete: remove },
  default: "list",
});

function projectOf(values: { store?: string; generations?: string }) {
  return loadProject(process.cwd(), { ...(values.store ? { store: values.store } : {}), ...(values.generations ? { generations: values.generations } : {}) });
}
