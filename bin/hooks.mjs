// Module-loader hooks of the compiled CLI, which bin/exo.js registers when
// dist/ is fresh (bin/compiled.mjs). Plain JavaScript, in Node's loader thread.
// - resolve: a source of exo's that dist/ holds (generator/…, modules/…, and
//   "exo" itself) is answered with its compiled twin, so a profile importing
//   exo's API shares the CLI's modules instead of loading a second copy.
// - load: any other TypeScript file (a profile, exo.config.ts, a user's
//   modules) is compiled by esbuild through a cache keyed by its content,
//   so an unchanged file is never compiled twice.
// - every file loaded is reported to the main thread under its source's
//   name, for the no-op cache (generator/cli/noop-cache.ts).
import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, extname, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const TYPESCRIPT = new Set([".ts", ".mts", ".cts", ".tsx"]);
const ESBUILD_VERSION = JSON.parse(readFileSync(new URL("../node_modules/esbuild/package.json", import.meta.url), "utf8")).version;
/** Everything besides the source that shapes the compiled text: part of each cache key. */
const OPTIONS = { format: "esm", target: "node20", sourcemap: "inline" };

let port;
let root;
let dist;
let compiled;
let cacheDir;

export async function initialize(data) {
  ({ port, cacheDir } = data);
  root = fileURLToPath(data.root);
  dist = fileURLToPath(data.dist);
  compiled = new Set(data.sources);
}

// A bare specifier ("exo", "zod") resolves the same from every file of one folder: looked up once per folder.
const packages = new Map();
const BARE = /^(?![./]|[a-z]+:)/;

export async function resolve(specifier, context, nextResolve) {
  const key = BARE.test(specifier) && context.parentURL ? `${specifier}\0${new URL(".", context.parentURL).href}\0${context.conditions}` : undefined;
  const known = key === undefined ? undefined : packages.get(key);
  if (known !== undefined) return known;
  const answer = await resolveUncached(specifier, context, nextResolve);
  if (key !== undefined) packages.set(key, { ...answer, shortCircuit: true });
  return answer;
}

async function resolveUncached(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context).catch((e) => typescriptTwin(specifier, context, nextResolve, e));
  if (!resolved.url.startsWith("file:")) return resolved;
  const rel = relative(root, fileURLToPath(resolved.url)).split(sep).join("/");
  if (!compiled.has(rel)) return resolved;
  return { url: pathToFileURL(join(dist, `${rel.slice(0, -3)}.js`)).href, format: "module", shortCircuit: true };
}

/** As tsx does: `./x.js` may name `./x.ts`, and `./x` may name `./x.ts` or `./x/index.ts`. */
async function typescriptTwin(specifier, context, nextResolve, error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !/^\.{1,2}\//.test(specifier)) throw error;
  const candidates = specifier.endsWith(".js") ? [`${specifier.slice(0, -3)}.ts`] : extname(specifier) ? [] : [`${specifier}.ts`, `${specifier}/index.ts`];
  for (const candidate of candidates) {
    const found = await nextResolve(candidate, context).catch(() => undefined);
    if (found) return found;
  }
  throw error;
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:")) return nextLoad(url, context);
  const file = fileURLToPath(url);
  port.postMessage(pathToFileURL(sourceOf(file)).href);
  if (!TYPESCRIPT.has(extname(file))) return nextLoad(url, context);
  if (!isModuleScope(file)) throw commonJs(file);
  const text = readFileSync(file, "utf8");
  return { format: "module", source: await compile(file, text), shortCircuit: true };
}

function sourceOf(file) {
  const rel = relative(dist, file).split(sep).join("/");
  return rel.endsWith(".js") && compiled.has(`${rel.slice(0, -3)}.ts`) ? join(root, `${rel.slice(0, -3)}.ts`) : file;
}

// Node's rule for .js, which tsx follows for .ts: .mts is a module, .cts is not, and .ts/.tsx are what the nearest package.json's "type" says.
const scopes = new Map();
function isModuleScope(file) {
  const ext = extname(file);
  if (ext === ".mts") return true;
  if (ext === ".cts") return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (scopes.has(dir)) return scopes.get(dir);
    let type;
    try {
      type = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).type ?? "commonjs";
    } catch (e) {
      if (e.code !== "ENOENT" && e.code !== "ENOTDIR") type = "commonjs";
    }
    if (type !== undefined || dirname(dir) === dir) {
      scopes.set(dir, type === "module");
      return type === "module";
    }
  }
}

function commonJs(file) {
  return Object.assign(new Error(`${file} is a CommonJS module: no package.json above it says "type": "module"`), { code: "ERR_EXO_TYPESCRIPT_COMMONJS" });
}

async function compile(file, text) {
  const key = createHash("sha256").update(JSON.stringify([ESBUILD_VERSION, OPTIONS, file])).update("\0").update(text).digest("hex");
  const cached = join(cacheDir, key.slice(0, 2), `${key}.mjs`);
  const hit = readOwn(cached);
  if (hit !== undefined) return hit;
  const { transform } = await import("esbuild");
  let code;
  try {
    ({ code } = await transform(text, { ...OPTIONS, loader: extname(file) === ".tsx" ? "tsx" : "ts", sourcefile: file }));
  } catch (e) {
    throw transformError(e);
  }
  try {
    mkdirSync(dirname(cached), { recursive: true, mode: 0o700 });
    const partial = `${cached}.${process.pid}.tmp`;
    writeFileSync(partial, code, { mode: 0o600 });
    renameSync(partial, cached);
  } catch {
    // A cache that cannot be written only costs the next run a compile.
  }
  return code;
}

/**
 * A cached compile, only if this user wrote it: code from the cache runs, so
 * a file another user could have put there (a cache under a shared folder)
 * or changed since (group- or world-writable) is compiled again instead.
 */
function readOwn(file) {
  let fd;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const s = fstatSync(fd);
    if (!s.isFile() || s.uid !== process.getuid() || (s.mode & 0o022) !== 0) return undefined;
    return readFileSync(fd, "utf8");
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** esbuild's first error as `FILE:LINE:COLUMN: ERROR: TEXT`, named TransformError as tsx names it (generator/eval/load.ts reads it). */
function transformError(e) {
  const first = e?.errors?.[0];
  const where = first?.location;
  const error = new Error(where ? `${where.file}:${where.line}:${where.column}: ERROR: ${first.text}` : String(e?.message ?? e));
  error.name = "TransformError";
  return error;
}
