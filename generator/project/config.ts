// exo.config.ts: the project-level settings. Paths are relative to the
// file that holds them.
import { access } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import type { Arch } from "../../schemas/system.ts";
import { ExoError } from "../errors.ts";
import { importUserFile } from "../user-code.ts";

/** Debian's QEMU binaries (qemu-system-x86, -arm, -misc), one per architecture. */
const QEMU_DEFAULTS: Readonly<Record<Arch, string>> = { x86_64: "qemu-system-x86_64", aarch64: "qemu-system-aarch64", riscv64: "qemu-system-riscv64" };

/** A registry's host as in an OCI reference: a DNS name or IPv4 address, or [IPv6], and an optional port. */
const REGISTRY_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

const registrySettingsSchema = z.strictObject({
  /** A PEM file of CA certificates trusted for this registry's HTTPS, beside the system's. */
  ca: z.string().min(1).optional(),
  /** Speak plain HTTP to it; never needed, and never assumed, for a registry off loopback. */
  insecureHttp: z.boolean().default(false),
});

const projectConfigSchema = z.strictObject({
  /** Where the store lives; `--store` and EXO_STORE override it. */
  store: z.string().min(1).default(".exo/store"),
  /** Where generation records live; `--generations` and EXO_GENERATIONS override it. */
  generations: z.string().min(1).default(".exo/generations"),
  keys: z
    .strictObject({
      /** The ML-DSA secret key `exo build` signs with. */
      secretKey: z.string().min(1).default(".exo/keys/exo-signing.key"),
      /** Public keys whose signatures `exo verify` and `exo run` accept. */
      trusted: z.array(z.string().min(1)).default([".exo/keys/exo-signing.pub"]),
    })
    .default({ secretKey: ".exo/keys/exo-signing.key", trusted: [".exo/keys/exo-signing.pub"] }),
  /** The highest image version seen per system (`exo verify`, `exo run`); `EXO_TRUST_STATE` overrides it. */
  trustState: z.string().min(1).default(".exo/trust-state.json"),
  toolchain: z
    .strictObject({ clang: z.string().default("clang"), lld: z.string().default("ld.lld") })
    .default({ clang: "clang", lld: "ld.lld" }),
  /** The QEMU binary that boots each architecture's images. */
  qemu: z
    .strictObject({ x86_64: z.string().default(QEMU_DEFAULTS.x86_64), aarch64: z.string().default(QEMU_DEFAULTS.aarch64), riscv64: z.string().default(QEMU_DEFAULTS.riscv64) })
    .default(QEMU_DEFAULTS),
  /** How to reach each OCI registry, by host[:port]: a CA for its HTTPS, or plain HTTP (loopback needs no flag). */
  registries: z.record(z.string().regex(REGISTRY_HOST, "expected host or host:port"), registrySettingsSchema).default({}),
  /** OCI repositories asked for a derivation's output before it is built, each with the keys trusted to sign for it. */
  substituters: z
    .array(
      z.strictObject({
        url: z.string().regex(/^oci:\/\//, "expected oci://HOST/REPO"),
        trusted: z.array(z.string().min(1)).min(1, "name at least one public key trusted to sign this cache's records"),
      }),
    )
    .default([]),
});

export type ProjectConfig = z.input<typeof projectConfigSchema>;

/** Settings with every path made absolute. */
export interface Project {
  readonly root: string;
  readonly store: string;
  readonly generations: string;
  readonly secretKey: string;
  readonly trusted: readonly string[];
  readonly trustState: string;
  /** The exo.config.ts the settings came from, if any. */
  readonly configFile?: string;
  readonly clang: string;
  readonly lld: string;
  readonly qemu: Readonly<Record<Arch, string>>;
  /** Per registry host[:port]: its CA file (absolute) and whether plain HTTP is allowed. */
  readonly registries: Readonly<Record<string, RegistrySettings>>;
  readonly substituters: readonly Substituter[];
}

export interface RegistrySettings {
  readonly caFile?: string;
  readonly insecureHttp: boolean;
}

export interface Substituter {
  /** oci://HOST/REPO */
  readonly url: string;
  /** Absolute paths of the public keys whose signatures this cache's records may carry. */
  readonly trusted: readonly string[];
}

export function defineConfig(config: ProjectConfig): ProjectConfig {
  return config;
}

const CONFIG_FILE = "exo.config.ts";

export interface ProjectOverrides {
  readonly store?: string;
  readonly generations?: string;
}

/** Find exo.config.ts in `start` or a parent folder; without one, defaults apply in `start`. */
export async function loadProject(start: string = process.cwd(), overrides: ProjectOverrides = {}): Promise<Project> {
  return loadProjectFile(await findProjectConfig(start), start, overrides);
}

/** The exo.config.ts that governs `start`, found without running it. */
export function findProjectConfig(start: string): Promise<string | undefined> {
  return findUp(resolve(start), CONFIG_FILE);
}

/** Load settings from `file` (which runs it), or the defaults in `start` when there is none. */
export async function loadProjectFile(file: string | undefined, start: string, overrides: ProjectOverrides = {}): Promise<Project> {
  let raw: unknown = {};
  if (file) {
    try {
      raw = (await importUserFile(file)).default ?? {};
    } catch (e) {
      throw new ExoError("ERR_EXO_CONFIG_INVALID", `${file} could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const parsed = projectConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ExoError("ERR_EXO_CONFIG_INVALID", `${CONFIG_FILE}: \`${issue.path.join(".")}\`: ${issue.message}`);
  }
  const root = file ? dirname(file) : resolve(start);
  const c = parsed.data;
  const store = overrides.store ?? process.env.EXO_STORE;
  return {
    root,
    store: store ? resolve(store) : resolve(root, c.store),
    generations: resolve(overrides.generations ?? process.env.EXO_GENERATIONS ?? resolve(root, c.generations)),
    secretKey: resolve(root, c.keys.secretKey),
    trusted: c.keys.trusted.map((k) => resolve(root, k)),
    trustState: resolve(process.env.EXO_TRUST_STATE ?? resolve(root, c.trustState)),
    ...(file ? { configFile: file } : {}),
    clang: c.toolchain.clang,
    lld: c.toolchain.lld,
    qemu: c.qemu,
    // A null-prototype map: a host named `__proto__` is a key like any other.
    registries: Object.assign(
      Object.create(null) as Record<string, RegistrySettings>,
      Object.fromEntries(Object.entries(c.registries).map(([host, r]) => [host, { insecureHttp: r.insecureHttp, ...(r.ca ? { caFile: resolve(root, r.ca) } : {}) }])),
    ),
    substituters: c.substituters.map((s) => ({ url: s.url, trusted: s.trusted.map((k) => resolve(root, k)) })),
  };
}

async function findUp(dir: string, name: string): Promise<string | undefined> {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, name);
    if (await access(candidate).then(() => true, () => false)) return candidate;
    if (dirname(d) === d) return undefined;
  }
}
