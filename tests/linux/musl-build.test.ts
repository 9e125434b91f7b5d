// build.toolchain musl (issue 15, step 1): a package's C sources built with
// musl-gcc -static -O2 into a Linux x86_64 program without the Exo note,
// linked above the kernel's 1 GiB, bit-for-bit the same when built again in
// another folder; the manifest refuses musl for a library.
import test from "ava";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageBuilder, packageSourcesBuilder } from "../../generator/builders/package.ts";
import { packageFiles } from "../../generator/packages/files.ts";
import { type LoadedPackage, loadPackage } from "../../generator/packages/manifest.ts";
import { packageDerivations, packageId, packageKey } from "../../generator/packages/plan.ts";
import { findTool } from "../../generator/toolchain.ts";
import { ExoError } from "../../generator/errors.ts";
import { PLAN_SCHEMA } from "../../store/derivation.ts";
import { realise } from "../../store/realise.ts";
import { Store } from "../../store/store.ts";
import { packageFolder } from "../helpers/packages.ts";

const PROGRAM = {
  "hi.exopkg": "package: { name: hi, version: 1.0.0, description: Says hi., license: MIT }\nsources: [src/main.c]\nbuild: { toolchain: musl }\n",
  "src/main.c": '#include <stdio.h>\n\nint main(void)\n{\n    printf("hi from %s\\n", __FILE__);\n    return 0;\n}\n',
};

async function build(root: string, pkg: LoadedPackage, check = false): Promise<Buffer> {
  const [clang, lld, ar] = await Promise.all([findTool("clang"), findTool("ld.lld"), findTool("llvm-ar")]);
  const store = new Store(join(root, "store"));
  const { paths } = await realise(
    { schema: PLAN_SCHEMA, derivations: packageDerivations(pkg, await packageFiles(pkg), []), output: packageId(packageKey(pkg)) },
    { store, jobs: 1, check, builders: { "package-sources": packageSourcesBuilder(new Map([[packageKey(pkg), pkg.dir]])), package: packageBuilder({ clang, lld, ar }) } },
  );
  return readFile(join(store.pathOf(paths.get(packageId(packageKey(pkg)))!), "bin/hi"));
}

const tmp = async (t: { teardown(fn: () => Promise<void>): void }) => {
  const dir = await mkdtemp(join(tmpdir(), "exo-musl-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
};

test("a musl package is a static Linux ELF above 1 GiB, without the Exo note or a build id, the same bytes from two folders", async (t) => {
  const [a, b] = [await tmp(t), await tmp(t)];
  const elf = await build(a, await packageFolder(a, "hi", PROGRAM), true); // --check: built twice, compared
  t.is(elf.readUInt16LE(16), 2, "ET_EXEC");
  const phoff = Number(elf.readBigUInt64LE(32));
  const types: number[] = [];
  let firstLoad = 0n;
  for (let i = 0; i < elf.readUInt16LE(56); i++) {
    const type = elf.readUInt32LE(phoff + i * 56);
    types.push(type);
    if (type === 1 && firstLoad === 0n) firstLoad = elf.readBigUInt64LE(phoff + i * 56 + 16);
  }
  t.is(firstLoad, 0x41000000n);
  t.false(types.includes(3), "no PT_INTERP: static");
  t.false(elf.includes(Buffer.from("Exo\0")), "no Exo note");
  t.false(elf.includes(Buffer.from("GNU\0")), "no build id or GNU note");
  t.false(elf.includes(Buffer.from(a)), "no path of the build");
  t.true(elf.includes(Buffer.from("hi from src/main.c")) || elf.includes(Buffer.from("src/main.c")), "__FILE__ is relative");
  t.deepEqual(await build(b, await packageFolder(b, "hi", PROGRAM)), elf, "another folder, another store: the same bytes");
});

test("the musl toolchain builds programs only", async (t) => {
  const dir = await tmp(t);
  const error = await packageFolder(dir, "lib", {
    "lib.exopkg": "package: { name: lib, version: 1.0.0, description: A library., license: MIT, kind: library }\nsources: [src/a.c]\nheaders: [a.h]\nbuild: { toolchain: musl }\n",
    "src/a.c": "int a;\n",
    "a.h": "extern int a;\n",
  }).catch((e: unknown) => e);
  t.true(error instanceof ExoError);
  t.regex(String((error as ExoError).message) + String((error as ExoError).hint ?? ""), /toolchain/);
});
