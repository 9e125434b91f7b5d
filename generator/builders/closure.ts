// The module closure of a builder: every file its entry module loads
// (the static import graph, plus literal dynamic imports), every npm
// package it loads with that package's own dependencies (by name, version
// and integrity from the lock file), and the Node major version. A
// builder's version hashes this, so an edit to any module it runs changes
// its keys. Computed once per file per process: builders share modules.
//
// Imports are found by scanning the text, not parsing it. Every
// `from "x"`, `import "x"`, `import("x")` and `require("x")` anywhere
// counts, even in a comment or a string: including too much only costs a
// rebuild, and a specifier that resolves to nothing is skipped (a real
// import of it would fail to load). `import type` and `export type`
// statements are skipped, since they load nothing (esbuild and tsc erase
// them); an inline `import { type A } from "x"` counts, since with
// verbatimModuleSyntax it still loads x. A type-only statement is
// recognised only from its own `import type`/`export type` keywords, and
// its clause cannot run across another import or export keyword, so a
// comment can never hide a real import. Node builtins count only through
// the Node major version.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { sourcePath } from "../exo-root.ts";

/** One npm package in a closure: its place in the lock file and what identifies its bytes. */
export interface ClosurePackage {
  /** The lock file's key, e.g. `node_modules/tar-stream`. */
  readonly path: string;
  readonly name: string;
  readonly version: string | null;
  /** The lock file's `integrity` (or `resolved` for a link); a package missing from the lock has the SHA-256 of its package.json. */
  readonly integrity: string | null;
}

export interface ModuleClosure {
  /** Every file loaded, relative to the project root (the folder of the lock file), sorted, with its SHA-256. */
  readonly files: readonly { readonly path: string; readonly sha256: string }[];
  /** Every package loaded and its dependencies, transitively, sorted by lock path. */
  readonly packages: readonly ClosurePackage[];
  /** process.versions.node's major number: another minor of the same major shares keys. */
  readonly node: string;
}

/** Extensions of files that are scanned for imports; anything else (JSON, text) is hashed only. */
const SCRIPT = /\.(?:[cm]?[jt]s|[jt]sx)$/;
/**
 * Every specifier a statement or call may load: `from "x"`, `import "x"`,
 * `import("x")`, `require("x")`. Over-includes on purpose (comments,
 * strings). Zero-width (a lookahead), so a match never consumes text that
 * holds the next one: `s = "from"; import "./y.ts"` still finds ./y.ts.
 */
const LOADS = /(?=\b(?:from|import)\s*(["'])([^"'\r\n]+)\1|\b(?:import|require)\s*\(\s*(["'`])([^"'`$\r\n]+)\3\s*[,)])/g;
/**
 * `import type ... from "x"` and `export type ... from "x"` (not `import
 * type from "x"`, a default import named type): group 1 is the `from "x"`
 * part. The clause holds no quote, semicolon or other import/export keyword,
 * so it ends at its own `from`, never at a later statement's.
 */
const TYPE_ONLY = /\b(?:import|export)\s+type\b(?!\s*(?:from\b|,|=))(?:(?!\b(?:import|export)\b)[^;"'`])*?(\bfrom\s*(["'])[^"'\r\n]+\2)/g;

interface Scanned {
  readonly sha256: string;
  readonly files: readonly string[];
  /** `<lock root>\0<lock key>`, or `\0<folder>` for a package no lock file names. */
  readonly packages: readonly string[];
}

interface Lock {
  readonly root: string;
  readonly packages: Record<string, LockEntry>;
}

interface LockEntry {
  readonly name?: string;
  readonly version?: string;
  readonly integrity?: string;
  readonly resolved?: string;
  readonly link?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

const scanned = new Map<string, Scanned>();
const closures = new Map<string, ModuleClosure>();
const locks = new Map<string, Lock | null>();
/** What a specifier names, by importing folder and specifier. */
const resolved = new Map<string, { file?: string; pkg?: string } | null>();
/** Packages not in any lock file, by absolute folder: identified by their package.json. */
const unlocked = new Map<string, ClosurePackage>();

/** The closure of a module, given as a `file:` URL (import.meta.url) or a path. Cached per process. */
export function moduleClosure(module: string): ModuleClosure {
  // Compiled, a builder hashes the sources dist/ was made from (and matches): keys are the same either way.
  const entry = sourcePath(module.startsWith("file:") ? fileURLToPath(module) : resolve(module));
  const cached = closures.get(entry);
  if (cached) return cached;
  const root = lockFor(dirname(entry))?.root ?? dirname(entry);
  const files = new Set<string>();
  const packages = new Map<string, ClosurePackage>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const info = scan(file);
    todo.push(...info.files);
    for (const id of info.packages) addPackage(id, packages);
  }
  const closure: ModuleClosure = {
    files: [...files].map((f) => ({ path: displayPath(root, f), sha256: scan(f).sha256 })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    packages: [...packages.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    node: process.versions.node.split(".")[0]!,
  };
  closures.set(entry, closure);
  return closure;
}

/** A path relative to the project root with `/` separators; a file outside it keeps its absolute path. */
function displayPath(root: string, file: string): string {
  const rel = relative(root, file);
  return rel.startsWith("..") ? file : rel.split(sep).join("/");
}

/** Read, hash and scan one file: the files and package lock keys it loads. */
function scan(file: string): Scanned {
  const cached = scanned.get(file);
  if (cached) return cached;
  const bytes = readFileSync(file);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const lock = lockFor(dirname(file));
  const files = new Set<string>();
  const packages = new Set<string>();
  if (SCRIPT.test(file)) {
    const dir = dirname(file);
    for (const specifier of specifiers(bytes.toString("utf8"))) {
      const cacheKey = `${dir}\0${specifier}`;
      let target = resolved.get(cacheKey);
      if (target === undefined) resolved.set(cacheKey, (target = resolveSpecifier(specifier, file, lock)));
      if (target?.file) files.add(target.file);
      if (target?.pkg) packages.add(target.pkg);
    }
  }
  const result: Scanned = { sha256, files: [...files], packages: [...packages] };
  scanned.set(file, result);
  return result;
}

/** Every specifier the text may load, without those of type-only statements. */
export function specifiers(text: string): string[] {
  const typeOnly = new Set<number>();
  for (const m of text.matchAll(TYPE_ONLY)) typeOnly.add(m.index + m[0].length - m[1]!.length);
  const out = new Set<string>();
  for (const m of text.matchAll(LOADS)) {
    if (m[2] !== undefined && typeOnly.has(m.index)) continue;
    out.add(m[2] ?? m[4]!);
  }
  return [...out];
}

/** What a specifier names: a file (relative, absolute, or the project's own package) or a package (its lock key, or an unlocked folder). */
function resolveSpecifier(specifier: string, from: string, lock: Lock | null): { file?: string; pkg?: string } | null {
  const spec = specifier.replace(/[?#].*$/, "");
  if (spec.startsWith("file:")) return fileTarget(fileURLToPath(spec));
  if (spec.startsWith(".") || spec.startsWith("/")) return fileTarget(resolve(dirname(from), spec));
  if (spec.startsWith("node:") || isBuiltin(spec)) return null;
  const name = packageName(spec);
  if (!name) return null;
  const self = selfReference(spec, name, from);
  if (self) return { file: self };
  if (lock) {
    const key = lockLookup(lock, posixRelative(lock.root, dirname(from)), name);
    if (key) return { pkg: `${lock.root}\0${key}` };
  }
  const folder = installedFolder(dirname(from), name);
  return folder ? { pkg: `\0${folder}` } : null;
}

/** The file Node or tsx loads for a path: as written, or a `.js` written for a `.ts`, or an extensionless path or folder. */
function fileTarget(path: string): { file: string } | null {
  if (isFile(path)) return { file: path };
  const js = /\.([cm]?)js(x?)$/.exec(path);
  const candidates = js ? [`${path.slice(0, js.index)}.${js[1]}ts${js[2]}`] : [];
  for (const ext of [".ts", ".tsx", ".mts", ".js", ".mjs", ".cjs", ".json"]) candidates.push(path + ext);
  for (const ext of [".ts", ".tsx", ".js", ".mjs"]) candidates.push(`${path}/index${ext}`);
  for (const candidate of candidates) if (isFile(candidate)) return { file: candidate };
  return null;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

/** `tar-stream` of `tar-stream/extract.js`, `@noble/post-quantum` of `@noble/post-quantum/ml-dsa.js`. */
function packageName(spec: string): string | null {
  const parts = spec.split("/");
  const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  return /^(?:@[^/]+\/)?[^/@][^/]*$/.test(name) ? name : null;
}

/** A package importing itself by its own name (package.json `exports`), e.g. `exo` in this project: the file it names. */
function selfReference(spec: string, name: string, from: string): string | null {
  const manifest = nearestPackageJson(dirname(from));
  if (!manifest || manifest.json.name !== name || manifest.json.exports === undefined) return null;
  const subpath = `.${spec.slice(name.length)}`;
  const exports = manifest.json.exports;
  const target = typeof exports === "string" || Array.isArray(exports) || !Object.keys(exports as object).some((k) => k.startsWith(".")) ? (subpath === "." ? exports : undefined) : (exports as Record<string, unknown>)[subpath];
  const file = conditionTarget(target);
  return file ? (fileTarget(resolve(manifest.dir, file))?.file ?? null) : null;
}

function conditionTarget(target: unknown): string | null {
  if (typeof target === "string") return target;
  if (Array.isArray(target)) return target.map(conditionTarget).find((t) => t !== null) ?? null;
  if (target && typeof target === "object") {
    const conditions = target as Record<string, unknown>;
    for (const c of ["import", "node", "default"]) if (c in conditions) return conditionTarget(conditions[c]);
  }
  return null;
}

const manifests = new Map<string, { dir: string; json: { name?: string; exports?: unknown } } | null>();

function nearestPackageJson(dir: string): { dir: string; json: { name?: string; exports?: unknown } } | null {
  if (manifests.has(dir)) return manifests.get(dir)!;
  const file = join(dir, "package.json");
  const parent = dirname(dir);
  const found = isFile(file) ? { dir, json: JSON.parse(readFileSync(file, "utf8")) as { name?: string; exports?: unknown } } : parent === dir ? null : nearestPackageJson(parent);
  manifests.set(dir, found);
  return found;
}

/** The lock file that governs a folder: the nearest package-lock.json above it, else node_modules/.package-lock.json. */
function lockFor(dir: string): Lock | null {
  if (locks.has(dir)) return locks.get(dir)!;
  let lock: Lock | null = null;
  for (const file of [join(dir, "package-lock.json"), join(dir, "node_modules", ".package-lock.json")]) {
    if (existsSync(file)) {
      lock = { root: dir, packages: (JSON.parse(readFileSync(file, "utf8")) as { packages?: Record<string, LockEntry> }).packages ?? {} };
      break;
    }
  }
  const parent = dirname(dir);
  if (!lock && parent !== dir) lock = lockFor(parent);
  locks.set(dir, lock);
  return lock;
}

function posixRelative(root: string, dir: string): string {
  const rel = relative(root, dir).split(sep).join("/");
  return rel.startsWith("..") ? "" : rel;
}

/** Node's lookup, on the lock's keys: `<dir>/node_modules/<name>` from `dir` up to the root, skipping node_modules folders themselves. */
function lockLookup(lock: Lock, dir: string, name: string): string | null {
  let at = dir === "." ? "" : dir;
  for (;;) {
    if (posix.basename(at) !== "node_modules") {
      const key = at ? `${at}/node_modules/${name}` : `node_modules/${name}`;
      if (lock.packages[key]) return key;
    }
    if (!at) return null;
    const up = posix.dirname(at);
    at = up === "." ? "" : up;
  }
}

/** Add a package (`<lock root>\0<key>`, or `\0<folder>` outside any lock) and, from the lock, its dependencies. */
function addPackage(id: string, into: Map<string, ClosurePackage>): void {
  const [root, key] = id.split("\0") as [string, string];
  const lock = root ? lockFor(root) : null;
  if (!lock) {
    if (!into.has(id)) into.set(id, unlockedPackage(key));
    return;
  }
  const todo = [key];
  while (todo.length > 0) {
    const k = todo.pop()!;
    const mapKey = `${lock.root}\0${k}`;
    if (into.has(mapKey)) continue;
    let entry = lock.packages[k]!;
    let at = k;
    if (entry.link && entry.resolved && lock.packages[entry.resolved]) {
      at = entry.resolved;
      entry = lock.packages[at]!;
    }
    into.set(mapKey, { path: k, name: entry.name ?? k.slice(k.lastIndexOf("node_modules/") + "node_modules/".length), version: entry.version ?? null, integrity: entry.integrity ?? entry.resolved ?? null });
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) {
      const found = lockLookup(lock, at, dep);
      if (found) todo.push(found);
    }
  }
}

/** Where node_modules holds a package for a folder, when no lock file names it. */
function installedFolder(dir: string, name: string): string | null {
  for (let at = dir; ; at = dirname(at)) {
    const folder = join(at, "node_modules", name);
    if (isFile(join(folder, "package.json"))) return folder;
    if (dirname(at) === at) return null;
  }
}

function unlockedPackage(folder: string): ClosurePackage {
  const cached = unlocked.get(folder);
  if (cached) return cached;
  const text = readFileSync(join(folder, "package.json"));
  const json = JSON.parse(text.toString("utf8")) as { name?: string; version?: string };
  const name = json.name ?? folder.slice(folder.lastIndexOf("node_modules") + "node_modules/".length);
  const pkg: ClosurePackage = { path: `unlocked:${name}`, name, version: json.version ?? null, integrity: `sha256-${createHash("sha256").update(text).digest("base64")}` };
  unlocked.set(folder, pkg);
  return pkg;
}
