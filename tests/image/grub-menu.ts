// What GRUB makes of an image's grub.cfg, for tests: the menu entries it
// offers and the timeout it waits with once the whole file has run. Reads
// the subset of GRUB script exo writes (set, menuentry, source, and
// `if [ -f FILE ]; then ... fi`), and throws on anything else, so a change
// to the generated script fails here rather than being misread.
export interface EffectiveMenu {
  readonly titles: readonly string[];
  /** Seconds the menu waits; GRUB draws no menu at 0. */
  readonly timeout: number;
  /** The value of `timeout_style`, when set. */
  readonly style: string | undefined;
}

/** `read(path)` gives a file of the image by its absolute path on the image, or undefined when it has none. */
export function effectiveMenu(grubCfg: string, read: (path: string) => string | undefined): EffectiveMenu {
  const vars = new Map<string, string>();
  const titles: string[] = [];
  const run = (text: string, depth: number): void => {
    if (depth > 4) throw new Error("grub.cfg sources files too deep");
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      let m: RegExpExecArray | null;
      if (line === "" || line.startsWith("#")) continue;
      if (/^(serial|terminal_input|terminal_output) /.test(line)) continue;
      if ((m = /^set (\w+)=(\S*)$/.exec(line))) vars.set(m[1]!, m[2]!);
      else if ((m = /^menuentry "([^"]*)" \{$/.exec(line))) {
        titles.push(m[1]!);
        while (lines[i]!.trim() !== "}") if (++i >= lines.length) throw new Error(`menuentry "${m[1]}" has no closing brace`);
      } else if ((m = /^source (\S+)$/.exec(line))) {
        const sourced = read(m[1]!);
        if (sourced === undefined) throw new Error(`source ${m[1]}: no such file (GRUB would stop here)`);
        run(sourced, depth + 1);
      } else if ((m = /^if \[ -f (\S+) \]; then$/.exec(line))) {
        const body: string[] = [];
        while (lines[++i]?.trim() !== "fi") {
          if (i >= lines.length) throw new Error(`if [ -f ${m[1]} ] has no fi`);
          body.push(lines[i]!);
        }
        if (read(m[1]!) !== undefined) run(body.join("\n"), depth + 1);
      } else throw new Error(`grub.cfg: a line this reader does not know: ${line}`);
    }
  };
  run(grubCfg, 0);
  const timeout = Number(vars.get("timeout") ?? "-1");
  return { titles, timeout, style: vars.get("timeout_style") };
}
