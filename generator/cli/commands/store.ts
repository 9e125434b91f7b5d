// exo store verify | path-info: look into the store. Each subcommand has
// its own flags: `exo store path-info result --repair` is a usage error.
import { closure } from "../../../store/closure.ts";
import { Store } from "../../../store/store.ts";
import { verifyStore } from "../../../store/verify.ts";
import { ExoError } from "../../errors.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand } from "../command.ts";
import { JSON_FLAG, STORE_FLAG } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";
import { storePathName } from "../store-path.ts";

const verify = defineCommand({
  name: "store verify",
  summary: "Re-hash every store path and report each one whose content differs from its name.",
  flags: {
    repair: { type: "boolean", description: "delete the corrupt paths, so that the next build makes them anew" },
    ...STORE_FLAG,
    ...JSON_FLAG("exo.store-verify/v1"),
  },
  async run({ values }) {
    const store = await storeOf(values.store);
    const result = await verifyStore(store, { repair: values.repair === true });
    if (values.json) {
      printJson({ schema: JSON_SCHEMAS.storeVerify, checked: result.checked, ok: result.problems.length === 0, problems: result.problems, repaired: result.repaired });
    } else {
      for (const p of result.problems) process.stdout.write(`${p.path}: ${p.problem}\n`);
      for (const r of result.repaired) process.stdout.write(`deleted ${r}; the next build makes it anew\n`);
      process.stdout.write(`checked ${result.checked} paths: ${result.problems.length === 0 ? "all intact" : `${result.problems.length} problems`}\n`);
    }
    return result.problems.length === 0 || (values.repair && result.problems.every((p) => result.repaired.includes(p.path))) ? 0 : 1;
  },
});

const pathInfo = defineCommand({
  name: "store path-info",
  summary: "Show a store path's references, or with --closure everything it references, and their sizes.",
  positionals: [{ name: "PATH", description: "a store path (or a link to one, such as result)" }],
  flags: {
    closure: { type: "boolean", description: "list the path and everything it references, transitively" },
    size: { type: "boolean", description: "add the size of each path (and of the closure)" },
    ...STORE_FLAG,
    ...JSON_FLAG("exo.path-info/v1"),
  },
  async run({ values, positionals }) {
    const store = await storeOf(values.store);
    const name = await storePathName(store, positionals[0]!);
    const names = values.closure ? [...(await closure(store, [name]))].sort() : [name];
    const infos = [];
    for (const n of names) {
      const info = await store.pathInfo(n);
      if (!info) throw new ExoError("ERR_EXO_STORE", `${n} has no meta file in the store`, "run `exo store verify`");
      infos.push(info);
    }
    const total = infos.reduce((sum, i) => sum + i.size, 0);
    if (values.json) {
      printJson({ schema: JSON_SCHEMAS.pathInfo, paths: infos.map((i) => ({ path: i.path, references: i.references, ...(values.size ? { size: i.size } : {}) })), ...(values.size ? { totalSize: total } : {}) });
      return 0;
    }
    for (const info of infos) {
      process.stdout.write(`${info.path}${values.size ? `\t${info.size}` : ""}\n`);
      if (!values.closure) for (const ref of info.references) process.stdout.write(`  references ${ref}\n`);
    }
    if (values.size && values.closure) process.stdout.write(`closure: ${infos.length} paths, ${total} bytes\n`);
    return 0;
  },
});

export default defineCommand({
  name: "store",
  summary: "Look into the store: `verify` re-hashes every path; `path-info` shows a path's references and size.",
  subcommands: { verify, "path-info": pathInfo },
});

async function storeOf(dir: string | undefined): Promise<Store> {
  const project = await loadProject(process.cwd(), dir ? { store: dir } : {});
  return new Store(project.store);
}
