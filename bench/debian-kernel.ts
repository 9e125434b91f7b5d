// Debian's own x86_64 kernel, fetched without installing it: the package
// linux-image-amd64 depends on is downloaded with `apt-get download` into a
// cache outside the repository, and only boot/vmlinuz-* is taken out of it.
// It is the peer the process benchmarks compare Exo's kernel against.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface DebianKernel {
  /** The bzImage QEMU boots with -kernel. */
  readonly vmlinuz: string;
  /** The kernel release, e.g. 6.1.0-57-amd64. */
  readonly release: string;
  /** The Debian package's version, e.g. 6.1.192-3. */
  readonly version: string;
}

/** Where downloads are kept between runs: $EXO_BENCH_CACHE, else ~/.cache/exo-bench. */
export const benchCache = (): string => process.env.EXO_BENCH_CACHE ?? join(homedir(), ".cache", "exo-bench");

/** A command's stdout; its failure as one line that names the command and its last word (no network, no apt). */
function run(cmd: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    const why = err.code === "ENOENT" ? `${cmd} is not on PATH (a Debian host is needed)` : (err.stderr ?? "").trim().split("\n").pop() || err.message.split("\n")[0];
    throw new Error(`${[cmd, ...args].join(" ")} failed: ${why}`);
  }
}

/** The image package linux-image-amd64 stands for today, e.g. linux-image-6.1.0-57-amd64. */
function imagePackage(): string {
  const depends = run("apt-cache", ["depends", "linux-image-amd64"]);
  const name = /Depends: (linux-image-[0-9][^\s]*-amd64)\b/.exec(depends)?.[1];
  if (!name) throw new Error(`apt-cache depends linux-image-amd64 names no linux-image-<version>-amd64 (run apt-get update):\n${depends}`);
  return name;
}

/** The cached .deb of `pkg`, downloaded first when missing. */
function debOf(pkg: string, dir: string): string {
  const cached = () => readdirSync(dir).filter((f) => f.startsWith(`${pkg}_`) && f.endsWith(".deb")).sort();
  if (cached().length === 0) run("apt-get", ["download", pkg], dir);
  const deb = cached().pop();
  if (!deb) throw new Error(`apt-get download ${pkg} left no ${pkg}_*.deb in ${dir}`);
  return join(dir, deb);
}

export function debianKernel(): DebianKernel {
  const dir = benchCache();
  mkdirSync(dir, { recursive: true });
  const pkg = imagePackage();
  const release = pkg.slice("linux-image-".length);
  const deb = debOf(pkg, dir);
  const version = run("dpkg-deb", ["-f", deb, "Version"]).trim();
  const vmlinuz = join(dir, "boot", `vmlinuz-${release}`);
  if (!existsSync(vmlinuz)) {
    // The whole package unpacked is ~400 MB of modules; the kernel alone is 8 MB.
    execFileSync("sh", ["-c", `dpkg-deb --fsys-tarfile "$1" | tar -x --wildcards './boot/vmlinuz-*'`, "sh", deb], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  }
  if (!existsSync(vmlinuz)) throw new Error(`${deb} holds no boot/vmlinuz-${release}`);
  return { vmlinuz, release, version };
}
