// Packages are derivations (issue 14, second step): a library and a program
// that links it, built for real with clang, ld.lld and llvm-ar into a
// store. The key covers the sources and the dependencies' outputs; strip,
// lto and a pinned prebuilt ELF are honoured; a rebuild gives the same bytes.
import test from "ava";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { compileBuilder } from "../../generator/builders/compile.ts";
import { templatesHash, userSourcesBuilder } from "../../generator/builders/kernel-sources.ts";
import { packageBuilder, packageSourcesBuilder } from "../../generator/builders/package.ts";
import { ExoError } from "../../generator/errors.ts";
import { packageFiles } from "../../generator/packages/files.ts";
import { type LoadedPackage, loadPackage } from "../../generator/packages/manifest.ts";
import { packageDerivations, packageId, packageKey, sdkDerivations } from "../../generator/packages/plan.ts";
import { findTool } from "../../generator/toolchain.ts";
import { PLAN_SCHEMA } from "../../store/derivation.ts";
import { type BuildEvent, realise } from "../../store/realise.ts";
import { Store } from "../../store/store.ts";
import { packageFolder } from "../helpers/packages.ts";

const LIBRARY = {
  "greet.exopkg": "package: { name: greet, version: 0.3.1, description: Greets someone., license: MIT, kind: library }\nsources: [src/*.c]\nheaders: [include/greet.h]\n",
  "include/greet.h": "void greet_politely(const char *who);\n",
  "src/greet.c": '#include "exo.h"\n#include "greet.h"\n\nvoid greet_politely(const char *who)\n{\n    printf("good day, %s\\n", who);\n}\n',
};

const program = (binary = "") => ({
  "greeter.exopkg": `package: { name: greeter, version: 1.0.0, description: Greets the console., license: MIT }\nsources: [src/main.c]\ndependencies: { build: { greet: ^0.3 } }\n${binary}`,
  "src/main.c": '#include "exo.h"\n#include "greet.h"\n\nint main(void)\n{\n    greet_politely("console");\n    return 0;\n}\n',
});

const folder = packageFolder;

/** Build `pkg` (linking `libs`) into `store`; the store path of every derivation and the events. */
async function build(store: Store, pkg: LoadedPackage, libs: readonly LoadedPackage[] = [], check = false): Promise<{ out: string; paths: ReadonlyMap<string, string>; events: BuildEvent[] }> {
  const [clang, lld, ar] = await Promise.all([findTool("clang"), findTool("ld.lld"), findTool("llvm-ar")]);
  const derivations = [...sdkDerivations()];
  for (const lib of libs) derivations.push(...packageDerivations(lib, await packageFiles(lib), []));
  derivations.push(...packageDerivations(pkg, await packageFiles(pkg), libs));
  const folders = new Map([pkg, ...libs].map((p) => [packageKey(p), p.dir]));
  const events: BuildEvent[] = [];
  const { paths } = await realise(
    { schema: PLAN_SCHEMA, derivations, output: packageId(packageKey(pkg)) },
    {
      store,
      jobs: 2,
      check,
      onEvent: (e) => events.push(e),
      builders: {
        "user-sources": userSourcesBuilder(await templatesHash()),
        compile: compileBuilder(clang),
        "package-sources": packageSourcesBuilder(folders),
        package: packageBuilder({ clang, lld, ar }),
      },
    },
  );
  return { out: store.pathOf(paths.get(packageId(packageKey(pkg)))!), paths, events };
}

async function setup(t: { teardown(fn: () => Promise<void>): void }): Promise<{ root: string; store: Store }> {
  const root = await mkdtemp(join(tmpdir(), "exo-pkgbuild-"));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  return { root, store: new Store(join(root, "store")) };
}

test("a library and a program that links it build into bin/, lib/ and include/, with their manifests", async (t) => {
  const { root, store } = await setup(t);
  const lib = await folder(root, "greet", LIBRARY);
  const prog = await folder(root, "greeter", program());
  const { out, paths } = await build(store, prog, [lib]);
  const binary = await readFile(join(out, "bin/greeter"));
  t.is(binary.subarray(0, 4).toString("latin1"), "\x7fELF", "a static ELF");
  t.true(binary.includes("good day, %s"), "the library's code is linked in");
  t.false(binary.includes("greet_politely"), "stripped by default: no symbol names");
  const libOut = store.pathOf(paths.get("pkg:greet@0.3.1")!);
  t.is((await readFile(join(libOut, "lib/libgreet.a"))).subarray(0, 8).toString("latin1"), "!<arch>\n");
  t.is(await readFile(join(libOut, "include/greet.h"), "utf8"), LIBRARY["include/greet.h"]);
  t.like(JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as object, { package: { name: "greeter", version: "1.0.0" }, dependencies: { build: { greet: "^0.3" } } });
});

test("the key covers the sources and the dependencies' outputs: a changed library source rebuilds the program too", async (t) => {
  const { root, store } = await setup(t);
  const lib = await folder(root, "greet", LIBRARY);
  const prog = await folder(root, "greeter", program());
  const first = await build(store, prog, [lib]);
  const again = await build(store, prog, [lib]);
  t.deepEqual(again.events.filter((e) => e.type === "built"), [], "nothing changed: everything reused");
  await writeFile(join(root, "greet/src/greet.c"), LIBRARY["src/greet.c"].replace("good day", "good evening"));
  const changed = await build(store, prog, [await loadPackage(join(root, "greet"))]);
  const rebuilt = changed.events.filter((e) => e.type === "built").map((e) => (e as { id: string }).id).sort();
  t.deepEqual(rebuilt, ["pkg:greet@0.3.1", "pkg:greeter@1.0.0", "pkgsrc:greet@0.3.1"]);
  t.not(changed.out, first.out);
  t.true((await readFile(join(changed.out, "bin/greeter"))).includes("good evening"));
});

test("binary.strip: false keeps the symbols; binary.lto builds with link-time optimisation; a rebuild is bit-for-bit the same", async (t) => {
  const { root, store } = await setup(t);
  const lib = await folder(root, "greet", LIBRARY);
  const kept = await build(store, await folder(root, "kept", program("binary: { strip: false }\n")), [lib]);
  t.true((await readFile(join(kept.out, "bin/greeter"))).includes("greet_politely"), "symbols kept");
  const plain = await build(store, await folder(root, "plain", program()), [lib]);
  const lto = await build(store, await folder(root, "lto", program("binary: { lto: true }\n")), [lib]);
  t.not(lto.out, plain.out);
  t.notDeepEqual(await readFile(join(lto.out, "bin/greeter")), await readFile(join(plain.out, "bin/greeter")), "LTO gives another program");
  // --check builds every derivation again and compares the bytes.
  await t.notThrowsAsync(build(store, await loadPackage(join(root, "lto")), [lib], true));
});

test("a prebuilt static ELF is taken only as pinned: a mismatch names both hashes", async (t) => {
  const { root, store } = await setup(t);
  const lib = await folder(root, "greet", LIBRARY);
  const built = await build(store, await folder(root, "greeter", program()), [lib]);
  const elf = await readFile(join(built.out, "bin/greeter"));
  const sha256 = createHash("sha256").update(elf).digest("hex");
  const manifest = (pin: string) => `package: { name: wrapped, version: 2.0.0, description: A prebuilt ELF., license: MIT }\nprebuilt: { file: bin/wrapped, sha256: '${pin}' }\n`;
  await mkdir(join(root, "wrapped/bin"), { recursive: true });
  await writeFile(join(root, "wrapped/bin/wrapped"), elf);
  await writeFile(join(root, "wrapped/wrapped.exopkg"), manifest(sha256));
  const wrapped = await build(store, await loadPackage(join(root, "wrapped")));
  t.deepEqual(await readFile(join(wrapped.out, "bin/wrapped")), elf);
  await writeFile(join(root, "wrapped/wrapped.exopkg"), manifest("0".repeat(64)));
  const error = await packageFiles(await loadPackage(join(root, "wrapped"))).catch((e: unknown) => e);
  t.true(error instanceof ExoError);
  t.regex((error as ExoError).message, new RegExp(`bin/wrapped has SHA-256 ${sha256}, but the manifest pins ${"0".repeat(64)}`));
});

test("a build dependency that is a program, a link out of the folder, and a source pattern that matches nothing are refused", async (t) => {
  const { root } = await setup(t);
  const prog = await folder(root, "greeter", program());
  const other = await folder(root, "other", { "other.exopkg": "package: { name: other, version: 1.0.0, description: Another program., license: MIT }\nsources: [main.c]\n", "main.c": "int main(void) { return 0; }\n" });
  t.throws(() => packageDerivations(prog, { sources: [], headers: [], manifest: { path: "greeter.exopkg", sha256: "0".repeat(64) } }, [other]), { message: /build-depends on other@1\.0\.0, which is a program/ });
  const { symlink } = await import("node:fs/promises");
  await mkdir(join(root, "outside"));
  await writeFile(join(root, "outside/secret.c"), "int x;\n");
  const linked = await folder(root, "linked", { "linked.exopkg": "package: { name: linked, version: 1.0.0, description: Links out., license: MIT }\nsources: [src/secret.c]\n" });
  await symlink(join(root, "outside"), join(root, "linked/src"));
  await t.throwsAsync(packageFiles(linked), { message: /leads out of the package's folder through a link/ });
  const empty = await folder(root, "empty", { "empty.exopkg": "package: { name: empty, version: 1.0.0, description: Matches nothing., license: MIT }\nsources: [src/*.c]\n", "src/readme.txt": "no C here\n" });
  await t.throwsAsync(packageFiles(empty), { message: /src\/\*\.c matches no file/ });
});

test("a source changed between planning and building is refused, naming both hashes; a link put in its place too", async (t) => {
  const { root, store } = await setup(t);
  const pkg = await folder(root, "greet", LIBRARY);
  const files = await packageFiles(pkg);
  const [clang, lld, ar] = await Promise.all([findTool("clang"), findTool("ld.lld"), findTool("llvm-ar")]);
  const graph = { schema: PLAN_SCHEMA, derivations: [...sdkDerivations(), ...packageDerivations(pkg, files, [])], output: packageId(packageKey(pkg)) } as const;
  const builders = {
    "user-sources": userSourcesBuilder(await templatesHash()),
    compile: compileBuilder(clang),
    "package-sources": packageSourcesBuilder(new Map([[packageKey(pkg), pkg.dir]])),
    package: packageBuilder({ clang, lld, ar }),
  };
  // One flipped byte after the plan: the copy into the store checks what it reads.
  const source = join(root, "greet/src/greet.c");
  const bytes = await readFile(source);
  bytes[0] = bytes[0]! ^ 1;
  await writeFile(source, bytes);
  const flipped = await realise(graph, { store, builders, jobs: 2 }).catch((e: unknown) => e);
  t.true(flipped instanceof ExoError);
  t.regex((flipped as ExoError).message, /src\/greet\.c changed while the build ran \(SHA-256 [0-9a-f]{64}, planned with [0-9a-f]{64}\)/);
  // A link to a file of the same content is no way round it: what is read is checked, and it differs.
  const { symlink, unlink } = await import("node:fs/promises");
  await writeFile(join(root, "elsewhere.c"), "int other;\n");
  await unlink(source);
  await symlink(join(root, "elsewhere.c"), source);
  await t.throwsAsync(realise(graph, { store, builders, jobs: 2 }), { message: /changed while the build ran/ });
  await t.throwsAsync(packageFiles(pkg), { message: /src\/greet\.c is not a regular file/ }, "planning again refuses the link outright");
});
