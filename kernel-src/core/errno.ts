// include/errno.h: the error numbers syscalls return negated (errno.ts, which
// the user programs' header shares).
import { errnoDefines } from "../errno.ts";
import { emit, type Template } from "../template.ts";
import { alignColumns } from "../writer.ts";

const source = "core/errno.ts";

export const errno: Template = {
  source,
  render() {
    const summary = "Error numbers, returned negated by syscalls; the user programs' exo.h has the same.";
    return emit({ source, path: "include/errno.h", summary, options: [] }, (w) => {
      w.line("#pragma once", ...alignColumns(errnoDefines().map((l) => l.split(" "))));
    });
  },
};
