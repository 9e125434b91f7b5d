// exo generations [--json] | exo generations delete N... | --older-than DAYS:
// list the recorded generations, marking the current one, or delete some.
import { ExoError } from "../../errors.ts";
import { readCurrent } from "../../generations/pointer.ts";
import { listRecords } from "../../generations/record.ts";
import { deleteGenerations, olderThan, parseGenerationNumber } from "../../generations/switch.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand, onlyFlags } from "../command.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

const usage = "generations [--json] | generations delete N... | generations delete --older-than DAYS  [--store DIR] [--generations DIR]";

export default defineCommand({
  name: "generations",
  summary: "List the system generations, marking the current one; `delete` removes some (never the current one).",
  usage,
  help: [
    "--json              a JSON document (schema exo.generations/v1), sorted by number",
    "--older-than DAYS   with `delete`: every generation recorded more than DAYS days ago, except the current one",
    "--store DIR         the store (default: exo.config.ts `store`, or $EXO_STORE)",
    "--generations DIR   where generations are recorded (default: exo.config.ts `generations`, or $EXO_GENERATIONS)",
  ],
  options: { json: { type: "boolean" }, "older-than": { type: "string" }, store: { type: "string" }, generations: { type: "string" } },
  async run({ values, positionals }) {
    const project = await loadProject(process.cwd(), { ...(values.store ? { store: values.store } : {}), ...(values.generations ? { generations: values.generations } : {}) });
    const [sub, ...rest] = positionals;
    if (sub === "delete") {
      onlyFlags("generations delete", values, ["older-than", "store", "generations"], usage);
      let numbers: number[];
      if (values["older-than"] !== undefined) {
        const days = Number(values["older-than"]);
        if (rest.length > 0 || !(days >= 0)) throw new ExoError("ERR_EXO_USAGE", `--older-than expects a number of days and no generation numbers, got '${values["older-than"]}'${rest.length ? ` and ${rest.join(" ")}` : ""}`, `usage: exo ${usage}`);
        numbers = await olderThan(project, days, new Date());
      } else {
        if (rest.length === 0) throw new ExoError("ERR_EXO_USAGE", "`generations delete` needs generation numbers or --older-than DAYS", `usage: exo ${usage}`);
        numbers = rest.map(parseGenerationNumber);
      }
      const deleted = await deleteGenerations(project, numbers);
      process.stdout.write(deleted.length ? `deleted generations ${deleted.join(", ")}\n` : "no generation to delete\n");
      return 0;
    }
    if (sub !== undefined || values["older-than"] !== undefined) throw new ExoError("ERR_EXO_USAGE", sub ? `unknown subcommand '${sub}'` : "--older-than belongs to `generations delete`", `usage: exo ${usage}`);
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
