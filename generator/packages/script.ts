// A program that is a script: its first line, `#!/interpreter [arg]`, names
// the program the kernel runs it with (argv: interpreter, the optional
// argument, the script's path). Checked when the package is read, so that
// a line the kernel would refuse or misread never reaches an image.
import { ExoError } from "../errors.ts";

export interface Interpreter {
  /** Absolute path in the running system, such as /exo/bin/sh. */
  readonly path: string;
  /** The rest of the line, passed as one argument, as Linux does. */
  readonly arg?: string;
}

/** The kernel reads at most this many bytes of the `#!` line, newline included (Linux: BINPRM_BUF_SIZE). */
export const SHEBANG_MAX = 256;

/** The `#!` line of `bytes`, or undefined when they do not start with `#!`; a malformed line is an error naming `where`. */
export function interpreterOf(bytes: Uint8Array, where: string): Interpreter | undefined {
  if (bytes[0] !== 0x23 || bytes[1] !== 0x21) return undefined;
  const head = Buffer.from(bytes.subarray(0, SHEBANG_MAX));
  const end = head.indexOf(0x0a);
  const bad = (what: string) => new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: its first line ${what}`, "write it as #!/exo/bin/sh (an absolute interpreter path, then at most one argument), ended by a newline");
  if (end < 0) throw bad(`has no newline within ${SHEBANG_MAX} bytes`);
  const line = head.subarray(2, end).toString("latin1");
  if (line.includes("\r")) throw bad("ends with a carriage return (a file with DOS line ends): the interpreter would be looked up with it");
  if (line.includes("\0")) throw bad("holds a NUL byte");
  if (!line.startsWith("/")) throw bad(`names the interpreter "${line.trim()}", which is not an absolute path`);
  const path = /^[^ \t]+/.exec(line)![0];
  const arg = line.slice(path.length).trim();
  if (path.split("/").includes("..")) throw bad(`names the interpreter ${path} through '..'`);
  return { path, ...(arg ? { arg } : {}) };
}
