// core/path.c: one normal form for paths in the initrd, so that the sandbox's
// prefix checks and the file lookups see the same name: components joined
// by single slashes, no leading slash, no "." and no "..". A ".." above the
// root is refused, never clamped, so no spelling reaches outside the root.
import { emit, type Template } from "../template.ts";

const source = "core/path.ts";

export const path: Template = {
  source,
  render() {
    const summary = "path_clean: a path joined to a folder and normalised (no leading slash, no '.', no '..'), as the sandbox and the initrd compare them.";
    return emit({ source, path: "core/path.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "defs.h"');
      w.blank();
      w.comment(
        "Write path into out (room bytes), normalised: relative to the folder dir",
        "(normalised itself, \"\" for the root) unless it starts with '/'. Returns the",
        "length, or -1 when a \"..\" climbs above the root or out has no room.",
      );
      w.fn("int64 path_clean(char *out, uint64 room, const char *dir, const char *path)", () => {
        w.line(`uint64 n = 0;
if (room == 0)
    return -1;
if (path[0] != '/') {
    while (dir[n] != 0) {
        if (n + 1 >= room)
            return -1;
        out[n] = dir[n];
        n++;
    }
}
for (const char *at = path; *at != 0;) {
    while (*at == '/')
        at++;
    const char *end = at;
    while (*end != 0 && *end != '/')
        end++;
    uint64 len = (uint64)(end - at);
    if (len == 0 || (len == 1 && at[0] == '.')) {
        /* empty or ".": nothing to add */
    } else if (len == 2 && at[0] == '.' && at[1] == '.') {
        if (n == 0)
            return -1;
        while (n > 0 && out[n - 1] != '/')
            n--;
        if (n > 0)
            n--; /* the slash before the dropped component */
    } else {
        if (n + (n > 0) + len + 1 > room)
            return -1;
        if (n > 0)
            out[n++] = '/';
        memcpy(out + n, at, len);
        n += len;
    }
    at = end;
}
out[n] = 0;
return (int64)n;`);
      });
      w.blank();
      w.comment("Whether the normalised path is prefix or lies below it, whole components only (\"etc/exo\" holds \"etc/exo/a\", not \"etc/exorcist\"); \"\" holds everything.");
      w.fn("int path_under(const char *path, const char *prefix)", () => {
        w.line(`uint64 n = 0;
if (prefix[0] == 0)
    return 1;
for (; prefix[n] != 0; n++)
    if (path[n] != prefix[n]) /* also stops at the end of a shorter path */
        return 0;
return path[n] == 0 || path[n] == '/';`);
      });
    });
  },
};
