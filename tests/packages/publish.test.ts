// exo publish and installing from a publication (issue 14, "Commands"): a
// program built with its library linked in, written with a manifest of the
// prebuilt form and a detached ML-DSA signature; loadPackage checks that
// signature against the trusted keys and every file against it, and names
// the file and the problem when anything was changed, removed or signed by
// a key it does not trust.
import test, { type ExecutionContext } from "ava";
import { appendFile, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExoError } from "../../generator/errors.ts";
import { type LoadedPackage, loadPackage } from "../../generator/packages/manifest.ts";
import { PUBLICATION_SCHEMA } from "../../generator/packages/publication.ts";
import { publishPackage } from "../../generator/packages/publish.ts";
import { loadProjectFile, type Project } from "../../generator/project/config.ts";
import { generateKeyPair } from "../../generator/sign/keys.ts";
import { sha256Hex } from "../../store/hash.ts";
import { packageFolder } from "../helpers/packages.ts";

const LIBRARY = {
  "greet.exopkg": "package: { name: greet, version: 0.3.1, description: Greets someone., license: MIT, kind: library }\nsources: [src/greet.c]\nheaders: [include/greet.h]\n",
  "include/greet.h": "void greet_politely(const char *who);\n",
  "src/greet.c": '#include "exo.h"\n#include "greet.h"\n\nvoid greet_politely(const char *who)\n{\n    printf("good day, %s\\n", who);\n}\n',
};

const PROGRAM = {
  "greeter.exopkg": [
    "package: { name: greeter, version: 1.0.0, description: Greets the console., license: MIT }",
    "sources: [src/main.c]",
    "dependencies: { build: { greet: ^0.3 }, runtime: { echo-server: ^0.1 } }",
    "build: { cflags: [-DLOUD=1] }",
    "sandbox: { capabilities: [console, ipc], ipc: [echo-server], memoryPages: 64 }",
    "services: [{ name: greeter }]",
    "",
  ].join("\n"),
  "src/main.c": '#include "exo.h"\n#include "greet.h"\n\nint main(void)\n{\n    greet_politely("console");\n    return 0;\n}\n',
};

const folder = packageFolder;

interface Setup {
  readonly root: string;
  readonly project: Project;
  readonly lib: LoadedPackage;
  readonly prog: LoadedPackage;
}

/** A project with its own store and key pair, a library and a program that links it. */
async function setup(t: { teardown(fn: () => Promise<void>): void }): Promise<Setup> {
  const root = await mkdtemp(join(tmpdir(), "exo-publish-"));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const project = await loadProjectFile(undefined, root);
  await mkdir(join(root, ".exo/keys"), { recursive: true });
  await generateKeyPair(project.secretKey, project.trusted[0]!);
  return { root, project, lib: await folder(root, "greet", LIBRARY), prog: await folder(root, "greeter", PROGRAM) };
}

async function publish(s: Setup): Promise<string> {
  const { folder: out } = await publishPackage({ pkg: s.prog, set: [s.lib], project: s.project, out: join(s.root, "pub"), jobs: 2 });
  return out;
}

/** The error loading `dir` with `trusted` throws, as ExoError. */
async function refusal(t: ExecutionContext, dir: string, trusted: readonly string[]): Promise<ExoError> {
  const e = await t.throwsAsync(loadPackage(dir, { trusted }), { instanceOf: ExoError });
  if (!e) throw new Error(`${dir} loaded, but should have been refused`);
  return e;
}

test("a published program loads with its signature checked: prebuilt, library linked in, build dependencies dropped", async (t) => {
  const s = await setup(t);
  const out = await publish(s);
  t.is(out, join(s.root, "pub/greeter-1.0.0"));
  const binary = await readFile(join(out, "bin/greeter"));
  t.is(binary.subarray(0, 4).toString("latin1"), "\x7fELF");
  t.true(binary.includes("good day, %s"), "the library is linked in");
  const sig = JSON.parse(await readFile(join(out, "greeter.exopkg.sig"), "utf8")) as { schema: string; keyId: string; files: { path: string; sha256: string }[] };
  t.is(sig.schema, PUBLICATION_SCHEMA);
  t.deepEqual(sig.files, [
    { path: "bin/greeter", sha256: sha256Hex(binary) },
    { path: "greeter.exopkg", sha256: sha256Hex(await readFile(join(out, "greeter.exopkg"))) },
  ]);

  const installed = await loadPackage(out, { trusted: s.project.trusted });
  t.is(installed.signedBy, sig.keyId);
  const m = installed.manifest;
  t.deepEqual(m.prebuilt, { file: "bin/greeter", sha256: sha256Hex(binary) });
  t.deepEqual(m.sources, []);
  t.deepEqual(m.dependencies, { build: {}, runtime: { "echo-server": "^0.1" } }, "the library is linked in; the runtime dependency stays");
  t.deepEqual(m.build.cflags, []);
  t.deepEqual(m.package, s.prog.manifest.package);
  t.deepEqual(m.sandbox, s.prog.manifest.sandbox);
  t.deepEqual(m.services, s.prog.manifest.services);
});

test("publishing again gives the same bytes and keeps the folder; a different one there is refused; a library cannot be published", async (t) => {
  const s = await setup(t);
  const out = await publish(s);
  const before = await readFile(join(out, "greeter.exopkg.sig"));
  const again = await publishPackage({ pkg: s.prog, set: [s.lib], project: s.project, out: join(s.root, "pub"), jobs: 2 });
  t.true(again.unchanged);
  t.deepEqual(await readFile(join(out, "greeter.exopkg.sig")), before, "signing is deterministic");
  await appendFile(join(out, "greeter.exopkg"), "# edited\n");
  const e = await t.throwsAsync(publishPackage({ pkg: s.prog, set: [s.lib], project: s.project, out: join(s.root, "pub"), jobs: 2 }), { instanceOf: ExoError });
  t.regex(e!.message, /pub\/greeter-1\.0\.0 already exists and differs from this publication/);
  const lib = await t.throwsAsync(publishPackage({ pkg: s.lib, set: [], project: s.project, out: join(s.root, "pub") }), { instanceOf: ExoError });
  t.regex(lib!.message, /greet@0\.3\.1 is a library: only a program can be published/);
});

test("a flipped byte in the program or the manifest is refused, naming the file and both hashes", async (t) => {
  const s = await setup(t);
  const out = await publish(s);
  const binPath = join(out, "bin/greeter");
  const original = await readFile(binPath);
  const flipped = Buffer.from(original);
  flipped[100] = flipped[100]! ^ 0x01;
  await writeFile(binPath, flipped);
  const bin = await refusal(t, out, s.project.trusted);
  t.is(bin.code, "ERR_EXO_VERIFY");
  t.regex(bin.message, new RegExp(`^bin/greeter in .* has SHA-256 ${sha256Hex(flipped)}, but .*greeter\\.exopkg\\.sig signs ${sha256Hex(original)}`));
  await writeFile(binPath, original);
  await t.notThrowsAsync(loadPackage(out, { trusted: s.project.trusted }), "the original bytes load again");

  const manifestPath = join(out, "greeter.exopkg");
  const text = await readFile(manifestPath, "utf8");
  await writeFile(manifestPath, text.replace("memoryPages: 64", "memoryPages: 65"));
  const manifest = await refusal(t, out, s.project.trusted);
  t.regex(manifest.message, /^greeter\.exopkg in .* has SHA-256 [0-9a-f]{64}, but .* signs [0-9a-f]{64}: the file was changed after it was published/);
});

test("a removed file, an untrusted key or an altered signature file is refused, each named", async (t) => {
  const s = await setup(t);
  const out = await publish(s);
  const trusted = s.project.trusted;

  // Another key pair: the publication is not signed by it.
  const other = join(s.root, "other");
  await mkdir(other);
  await generateKeyPair(join(other, "o.key"), join(other, "o.pub"));
  const untrusted = await refusal(t, out, [join(other, "o.pub")]);
  t.regex(untrusted.message, /greeter\.exopkg\.sig: signed by key [0-9a-f]{16}, which is not among the trusted keys \([0-9a-f]{16}\)/);
  t.regex((await refusal(t, out, [])).message, /not among the trusted keys \(none\)/, "no trusted key: nothing signed is accepted");

  // The signature file lists other hashes than were signed.
  const sigPath = join(out, "greeter.exopkg.sig");
  const sigText = await readFile(sigPath, "utf8");
  const sig = JSON.parse(sigText) as { files: { path: string; sha256: string }[] };
  sig.files[0]!.sha256 = "0".repeat(64);
  await writeFile(sigPath, JSON.stringify(sig));
  t.regex((await refusal(t, out, trusted)).message, /greeter\.exopkg\.sig: the ML-DSA-65 signature by key [0-9a-f]{16} does not match the files it lists/);
  await writeFile(sigPath, "{ not json");
  t.regex((await refusal(t, out, trusted)).message, /greeter\.exopkg\.sig is not valid JSON: expected an exo\.publication\/v1 signature/);
  await writeFile(sigPath, sigText);

  const binary = await readFile(join(out, "bin/greeter"));
  await unlink(join(out, "bin/greeter"));
  t.regex((await refusal(t, out, trusted)).message, /greeter\.exopkg\.sig signs bin\/greeter, which is missing from /);
  await writeFile(join(out, "bin/greeter"), binary);

  await unlink(join(out, "greeter.exopkg"));
  t.regex((await refusal(t, out, trusted)).message, /greeter\.exopkg\.sig signs the manifest greeter\.exopkg, which is missing/);
});

test("a folder without a signature file loads as before, trusted keys or not", async (t) => {
  const s = await setup(t);
  const loaded = await loadPackage(join(s.root, "greeter"), { trusted: s.project.trusted });
  t.is(loaded.signedBy, undefined);
  t.deepEqual(loaded.manifest, s.prog.manifest);
});
