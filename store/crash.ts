// Failure injection for the crash tests: EXO_CRASH_AT=<point>[#n] kills the
// process with SIGKILL the n-th time (default: the first) it passes the
// named point of a write sequence, exactly as a power cut or `kill -9` there
// would. Unset, a point costs one comparison.
const wanted = process.env.EXO_CRASH_AT;
const [point, nth] = wanted ? [wanted.split("#")[0]!, Number(wanted.split("#")[1] ?? "1")] : [undefined, 0];
let passed = 0;

export function crashPoint(name: string): void {
  if (name !== point) return;
  if (++passed === nth) process.kill(process.pid, "SIGKILL");
}
