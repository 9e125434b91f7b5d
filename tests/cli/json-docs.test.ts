// The JSON outputs match docs/json.md: the build event ids a real build
// emits are exactly the documented ones, and verify's text and JSON count
// the same files.
import test from "ava";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { exo, fixture, REPO, tempProject } from "../helpers/exo.ts";

test("every build event id is one docs/json.md documents, and every documented kind occurs", async (t) => {
  const dir = await tempProject();
  const r = await exo(["build", fixture("bundle-only.ts"), "--json"], { cwd: dir });
  t.is(r.code, 0, r.stderr);
  const ids = r.stdout.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { id?: string }).id).filter((id): id is string => id !== undefined);
  const docs = await readFile(join(REPO, "docs/json.md"), "utf8");
  const documented = [...docs.slice(docs.indexOf("names a derivation of the build graph")).split("\n\n")[0]!.matchAll(/`([a-z-]+:?)(<[a-z]+>)?`/g)].map((m) => m[1]!);
  t.true(documented.length >= 9, documented.join(", "));
  const kind = (id: string) => (id.includes(":") ? `${id.split(":")[0]}:` : id);
  for (const id of ids) t.true(documented.includes(kind(id)), `build event id ${id} is not documented`);
  for (const d of documented) t.true(ids.some((id) => kind(id) === d), `documented id ${d} never occurs`);
});

test("verify's text and its JSON give the same file count", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  t.is((await exo(["build", fixture("bundle-only.ts")], { cwd: dir })).code, 0);
  const text = await exo(["verify", "result"], { cwd: dir });
  const json = JSON.parse((await exo(["verify", "result", "--json"], { cwd: dir })).stdout) as { formats: { files: number }[] };
  t.regex(text.stdout, new RegExp(`result/bundle\\.tar: ok, ${json.formats[0]!.files} files match the manifest`));
});
