// Build progress for people. On a terminal: one status line, redrawn, with
// derivations done/total, how many were built and reused, and what is
// building now (like nix-output-monitor). Elsewhere: one line per event
// worth reading in a log.
import type { BuildEvent } from "../../store/realise.ts";

export function progressReporter(stream: NodeJS.WriteStream, now: () => number = () => performance.now()): { onEvent: (event: BuildEvent) => void; finish: () => void } {
  const live = stream.isTTY === true;
  const started = now();
  let total = 0;
  let built = 0;
  let reused = 0;
  let substituted = 0;
  const building = new Set<string>();
  let drawn = false;

  const draw = () => {
    const active = [...building].sort();
    const shown = active.slice(0, 3).join(", ") + (active.length > 3 ? ` +${active.length - 3}` : "");
    const fetched = substituted ? `, ${substituted} substituted` : "";
    const line = `[${built + reused + substituted}/${total}] ${seconds(now() - started)}${eta()} ${built} built, ${reused} reused${fetched}${shown ? ` · building ${shown}` : ""}`;
    // A terminal that reports no width (0, or none) gets the whole line rather than a stub.
    const columns = stream.columns || 0;
    stream.write(`\r\x1b[2K${columns > 0 ? line.slice(0, Math.max(20, columns - 1)) : line}`);
    drawn = true;
  };

  // What is left, at the pace the derivations built so far took (reused ones cost nothing).
  const eta = () => {
    const left = total - built - reused - substituted;
    if (built === 0 || left <= 0) return "";
    return `, ~${seconds(((now() - started) / built) * left)} left`;
  };

  const onEvent = (event: BuildEvent) => {
    switch (event.type) {
      case "plan":
        total = event.total;
        break;
      case "reused":
        reused++;
        break;
      case "checked":
        reused++;
        building.delete(event.id);
        if (!live) stream.write(`checked ${event.id}: same bytes\n`);
        break;
      case "building":
        building.add(event.id);
        break;
      case "built":
        built++;
        building.delete(event.id);
        if (!live) stream.write(`built ${event.id} (${event.ms} ms)\n`);
        break;
      case "substituted":
        substituted++;
        if (!live) stream.write(`substituted ${event.id} from ${event.from}${event.bytes ? ` (${event.bytes} B)` : ""}\n`);
        break;
      case "substitute-refused":
        if (live && drawn) stream.write("\n");
        stream.write(`warning: ${event.from}: ${event.id === "*" ? "" : `${event.id}: `}${event.reason}\n`);
        break;
      case "waiting":
        if (!live) stream.write(`waiting for ${event.id}: another build holds its lock\n`);
        break;
      case "failed":
        building.delete(event.id);
        if (live && drawn) stream.write("\n");
        drawn = false;
        return;
    }
    if (live) draw();
  };

  return {
    onEvent,
    finish: () => {
      if (live && drawn) stream.write("\n");
    },
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
