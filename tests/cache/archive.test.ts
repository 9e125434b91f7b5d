// A store path's archive: the same tree always gives the same bytes, and
// unpacking refuses anything but what packPath writes.
import test from "ava";
import { chmod, mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ArchiveRefused, packPath, unpackPath } from "../../generator/cache/archive.ts";
import { ustarHeader } from "../../generator/image/tar-read.ts";
import { hashTree } from "../../store/tree.ts";

async function tree(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-archive-"));
  await mkdir(join(dir, "bin"));
  await writeFile(join(dir, "bin/tool"), "#!/bin/sh\necho hi\n");
  await chmod(join(dir, "bin/tool"), 0o755);
  await writeFile(join(dir, "a.txt"), "x".repeat(1000));
  await writeFile(join(dir, "empty"), "");
  return dir;
}

test("a tree packs to the same bytes twice and unpacks to the same tree", async (t) => {
  const dir = await tree();
  const a = await packPath(dir, join(dir, "..", `${dir.split("/").pop()}.1.tar`));
  const b = await packPath(dir, join(dir, "..", `${dir.split("/").pop()}.2.tar`));
  t.is(a.digest, b.digest);
  t.is(a.files, 3);
  t.is(a.contentSize, 1000 + 18);
  const out = join(await mkdtemp(join(tmpdir(), "exo-unpack-")), "out");
  await unpackPath(join(dir, "..", `${dir.split("/").pop()}.1.tar`), a.size, out, { type: "directory", files: a.files, size: a.contentSize });
  t.is(await hashTree(out), await hashTree(dir));
  t.true(((await stat(join(out, "bin/tool"))).mode & 0o111) !== 0);
});

test("a single-file path round-trips as one entry named file", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "exo-archive-"));
  await writeFile(join(dir, "only"), "one file\n");
  const packed = await packPath(join(dir, "only"), join(dir, "only.tar"));
  t.is(packed.type, "file");
  const out = join(dir, "copy");
  await unpackPath(join(dir, "only.tar"), packed.size, out, { type: "file", files: 1, size: packed.contentSize });
  t.is(await readFile(out, "utf8"), "one file\n");
});

async function archiveOf(entries: { name: string; data: string; mode?: number }[]): Promise<{ file: string; size: number }> {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    blocks.push(ustarHeader({ name: e.name, size: e.data.length, mode: e.mode ?? 0o644, mtime: 0 })!);
    blocks.push(Buffer.from(e.data), Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const file = join(await mkdtemp(join(tmpdir(), "exo-hostile-")), "a.tar");
  const bytes = Buffer.concat(blocks);
  await writeFile(file, bytes);
  return { file, size: bytes.length };
}

test("unpacking refuses what the record does not announce, odd modes and a file where a folder goes", async (t) => {
  const target = async () => join(await mkdtemp(join(tmpdir(), "exo-unpack-")), "out");
  const two = await archiveOf([{ name: "a", data: "1" }, { name: "b", data: "2" }]);
  const more = await t.throwsAsync(unpackPath(two.file, two.size, await target(), { type: "directory", files: 1, size: 2 }), { instanceOf: ArchiveRefused });
  t.regex(more!.message, /holds 2 files, the record 1/);
  const bigger = await t.throwsAsync(unpackPath(two.file, two.size, await target(), { type: "directory", files: 2, size: 1 }), { instanceOf: ArchiveRefused });
  t.regex(bigger!.message, /2 bytes of files, the record 1/);
  const setuid = await archiveOf([{ name: "a", data: "1", mode: 0o4755 }]);
  await t.throwsAsync(unpackPath(setuid.file, setuid.size, await target(), { type: "directory", files: 1, size: 1 }), { message: /mode 4755/ });
  const clash = await archiveOf([{ name: "a", data: "1" }, { name: "a/b", data: "2" }]);
  await t.throwsAsync(unpackPath(clash.file, clash.size, await target(), { type: "directory", files: 2, size: 2 }), { instanceOf: ArchiveRefused });
  const dotdot = await archiveOf([{ name: "../escape", data: "1" }]);
  await t.throwsAsync(unpackPath(dotdot.file, dotdot.size, await target(), { type: "directory", files: 1, size: 1 }), { message: /not a plain relative path/ });
  const duplicate = await archiveOf([{ name: "a", data: "1" }, { name: "a", data: "2" }]);
  await t.throwsAsync(unpackPath(duplicate.file, duplicate.size, await target(), { type: "directory", files: 2, size: 2 }), { message: /second entry of the same name/ });
});
