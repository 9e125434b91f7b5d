// include/declarations.h (from arch/<arch>/declarations.ts): the prototypes
// of the port's own files that core code and the port's other files call
// (port.declarations), grouped by the file that defines them. A header of the
// port, not of the core: include/defs.h includes it, and stays free of any
// arch's names.
import type { Template } from "../template.ts";
import { emit } from "../template.ts";
import type { KernelTemplateInput } from "../input.ts";
import type { Port } from "../port.ts";

/** The template of a port's declarations.h: `source` is the port's declarations module. */
export function portDefsTemplate(source: string, declarations: Port["declarations"]): Template {
  return {
    source,
    render(input: KernelTemplateInput) {
      const k = input.kernel;
      const options = ["kernel.contextSwitch.lazyFpu", "kernel.testMode"];
      const summary = "Functions and data of the port's files, grouped by the file that defines them.";
      return emit({ source, path: "include/declarations.h", summary, options: k.testMode === "off" ? options.slice(0, 1) : options }, (w) => {
        w.line("#pragma once");
        w.blank();
        w.line('#include "types.h"');
        w.blank();
        w.line("struct thread;", "struct trapframe;");
        for (const [file, lines] of declarations(input)) w.blank().comment(file).line(...lines);
      });
    },
  };
}
