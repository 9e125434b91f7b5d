// What init (pkgs/init/src/main.c) reports on the serial console about the
// services it ran, read back so that `exo run` fails when a service did: the
// kernel exits with status 0 whatever init's status, so the console is the
// only place a failed service shows.

export interface ServiceFailure {
  /** The service's name, or `/etc/exo/services line N` for a line init refused. */
  readonly service: string;
  readonly reason: string;
}

export interface ServiceReport {
  /** From init's last line `init: N services, M failed`; undefined when it printed none. */
  readonly total: number | undefined;
  readonly failed: number | undefined;
  /** Each failure init named, in console order. */
  readonly failures: readonly ServiceFailure[];
  /** From the kernel's `exo: init exited with status S` (or `was killed`); undefined when no init ran. */
  readonly init: { readonly status: number; readonly killed: boolean } | undefined;
}

export function readServiceReport(output: string): ServiceReport {
  const text = output.replace(/\r\n/g, "\n");
  const summary = [...text.matchAll(/^init: (\d+) services?, (\d+) failed$/gm)].at(-1);
  const ended = [...text.matchAll(/^exo: init (exited|was killed) with status (-?\d+)$/gm)].at(-1);
  const failures: ServiceFailure[] = [];
  for (const m of text.matchAll(/^init: (?:(\/etc\/exo\/services line \d+): (.*; (?:\S+ )?not started)|(\S+) failed: (.*))$/gm)) {
    failures.push(m[1] !== undefined ? { service: m[1], reason: m[2]! } : { service: m[3]!, reason: m[4]! });
  }
  return {
    total: summary ? Number(summary[1]) : undefined,
    failed: summary ? Number(summary[2]) : undefined,
    failures,
    init: ended ? { status: Number(ended[2]), killed: ended[1] === "was killed" } : undefined,
  };
}

/** Why the services' run failed, in one sentence naming each failed service; undefined when none did. */
export function servicesFailure(report: ServiceReport): string | undefined {
  if (report.failed !== undefined && report.failed > 0) {
    const named = report.failures.map((f) => `${f.service} (${f.reason})`).join("; ");
    const unnamed = report.failed - report.failures.length;
    return `${report.failed} of ${report.total} services failed: ${named || "init named none"}${unnamed > 0 ? `; and ${unnamed} more` : ""}`;
  }
  if (report.init?.killed) return `init was killed (status ${report.init.status}) before its services were done`;
  return undefined;
}

/**
 * init ended badly before it ran any service (it could not read its services
 * file, say): no service failed, but the console deserves a look. A warning,
 * not a failure: a kernel built without the syscalls init needs still boots.
 */
export function initWarning(report: ServiceReport): string | undefined {
  if (report.failed !== undefined || report.init === undefined || report.init.killed || report.init.status === 0) return undefined;
  return `init exited with status ${report.init.status} before reporting its services; its last lines on the console say why`;
}
