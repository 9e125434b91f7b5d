// Build progress for people. On a terminal: one status line, redrawn, with
// derivations done/total, how many were built and reused, and what is
// building now (like nix-output-monitor). Elsewhere: one line per event
// worth reading in a log.
import type { BuildEvent } from "../../store/realise.ts";

export function progressReporter(stream: NodeJS.WriteStream): { onEvent: (event: BuildEvent) => void; finish: () => void } {
  const live = stream.isTTY === true;
  let total = 0;
  let built = 0;
  let reused = 0;
  const building = new Set<string>();
  let drawn = false;

  const draw = () => {
    const now = [...building].sort();
    const shown = now.slice(0, 3).join(", ") + (now.length > 3 ? ` +${now.length - 3}` : "");
    const line = `[${built + reused}/${total}] ${built} built, ${reused} reused${shown ? ` · building ${shown}` : ""}`;
    stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, (stream.columns ?? 100) - 1))}`);
    drawn = true;
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
