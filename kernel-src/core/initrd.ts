// core/initrd.c: take the initrd the boot loader passed as the first boot
// module (the port finds it: arch_boot_module), check it against the SHA-256 the
// kernel was built with (the last link of the chain of trust: signature →
// manifest → kernel → initrd), and look files up in it: it is a ustar
// archive, read in place, whose symlinks lookups follow.
import { emit, type Template } from "../template.ts";

const source = "core/initrd.ts";

export const initrd: Template = {
  source,
  render() {
    const summary = "Check the initrd boot module's SHA-256 against the one built in, and look up its files (ustar, in place).";
    return emit({ source, path: "core/initrd.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "defs.h"');
      w.blank();
      w.comment("Symlinks followed in one lookup, and the longest path a lookup handles.");
      w.line("#define INITRD_LINKS_MAX 8", "#define INITRD_PATH_MAX 256");
      w.blank();
      w.comment("1 when the initrd's SHA-256 is the one built in; its hash, in hex, goes to actual[0..65).");
      w.fn("int initrd_verify(const uint8 *start, uint64 len, char actual[65])", () => {
        w.line("static const char digits[] = \"0123456789abcdef\";");
        w.line("uint8 digest[32];");
        w.line("sha256(start, len, digest);");
        w.block("for (int i = 0; i < 32; i++) {", () => {
          w.line("actual[2 * i] = digits[digest[i] >> 4];", "actual[2 * i + 1] = digits[digest[i] & 15];");
        });
        w.line("actual[64] = 0;");
        w.line("for (int i = 0; i < 65; i++)").indent(() => w.line("if (actual[i] != build_initrd_sha256[i])").indent(() => w.line("return 0;")));
        w.line("return 1;");
      });
      w.blank();
      w.comment("The checked initrd (initrd_accept); files are looked up in it in place.");
      w.line("static const uint8 *initrd_start;", "static uint64 initrd_len;");
      w.blank();
      w.fn("void initrd_accept(const uint8 *start, uint64 len)", () => w.line("initrd_start = start;", "initrd_len = len;"));
      w.blank();
      w.comment("A ustar header's octal number field.");
      w.fn("static uint64 octal(const uint8 *field, int width)", () => {
        w.line("uint64 v = 0;");
        w.line("for (int i = 0; i < width && field[i] >= '0' && field[i] <= '7'; i++)").indent(() => w.line("v = v * 8 + (uint64)(field[i] - '0');"));
        w.line("return v;");
      });
      w.blank();
      w.comment("Whether a header's name (ustar prefix/name, each NUL-padded) is path.");
      w.fn("static int name_is(const uint8 *h, const char *path)", () => {
        w.line(`uint64 plen = 0, at = 0;
while (plen < 155 && h[345 + plen] != 0)
    plen++;
if (plen > 0) {
    if (memcmp(h + 345, path, plen) != 0 || path[plen] != '/')
        return 0;
    at = plen + 1;
}
for (uint64 i = 0; i < 100; i++) {
    if (h[i] != (uint8)path[at + i])
        return 0;
    if (h[i] == 0)
        return 1;
}
return path[at + 100] == 0;`);
      });
      w.blank();
      w.comment(
        "The entry header at archive offset *at, moving *at past the entry's data; NULL at the end.",
        "Headers are 512-byte blocks, each entry's data follows its header padded to 512; a zero",
        "block, the end of the archive or a size that runs past it ends the walk (*at unmoved).",
      );
      w.fn("static const uint8 *next_header(uint64 *at)", () => {
        w.line(`if (*at + 512 > initrd_len)
    return NULL;
const uint8 *h = initrd_start + *at;
if (h[0] == 0)
    return NULL;
uint64 size = octal(h + 124, 12);
if (size > initrd_len - *at - 512)
    return NULL;
*at += 512 + ((size + 511) & ~511UL);
return h;`);
      });
      w.blank();
      w.comment("The header of the entry named path (normalised), or NULL.");
      w.fn("static const uint8 *entry(const char *path)", () => {
        w.line(`const uint8 *h;
for (uint64 at = 0; (h = next_header(&at)) != NULL;)
    if (name_is(h, path))
        return h;
return NULL;`);
      });
      w.blank();
      w.comment(
        "Find the regular file path (a leading slash is optional) in the initrd: 1",
        "with *data and *len set, or 0. A symlink on the way (ustar typeflag '2') is",
        "followed, relative to its folder or from the root, at most",
        "INITRD_LINKS_MAX deep; a target above the root leads nowhere.",
      );
      w.fn("int initrd_lookup(const char *path, const uint8 **data, uint64 *len)", () => {
        w.line(`char cur[INITRD_PATH_MAX], next[INITRD_PATH_MAX], target[101];
if (path_clean(cur, sizeof cur, "", path) < 0)
    return 0;
for (int links = 0;; links++) {
    const uint8 *h = entry(cur);
    if (h == NULL)
        return 0;
    if (h[156] == '0' || h[156] == 0) {
        *data = h + 512;
        *len = octal(h + 124, 12);
        return 1;
    }
    if (h[156] != '2' || links == INITRD_LINKS_MAX)
        return 0;
    memcpy(target, h + 157, 100); /* linkname: NUL-padded, or all 100 bytes */
    target[100] = 0;
    uint64 cut = strlen(cur);
    while (cut > 0 && cur[cut - 1] != '/')
        cut--;
    cur[cut > 0 ? cut - 1 : 0] = 0; /* the link's folder */
    if (path_clean(next, sizeof next, cur, target) < 0)
        return 0;
    memcpy(cur, next, sizeof cur);
}`);
      });
      w.blank();
      w.comment("The symlink target of path (normalised, the link itself not followed) into out (n bytes, not NUL-terminated, cut at n): its length, -1 when path is not in the initrd, -2 when it is no symlink.");
      w.fn("int64 initrd_readlink(const char *path, char *out, uint64 n)", () => {
        w.line(`const uint8 *h = entry(path);
if (h == NULL)
    return -1;
if (h[156] != '2')
    return -2;
uint64 len = 0;
while (len < 100 && h[157 + len] != 0)
    len++;
if (len > n)
    len = n;
memcpy(out, h + 157, len);
return (int64)len;`);
      });
      w.blank();
      w.comment("A header's whole name (ustar prefix, a slash, name) into out, without a trailing slash (155 + 1 + 100 bytes fit in INITRD_PATH_MAX with its NUL).");
      w.fn("static void full_name(const uint8 *h, char out[INITRD_PATH_MAX])", () => {
        w.line(`uint64 at = 0;
for (uint64 i = 0; i < 155 && h[345 + i] != 0; i++)
    out[at++] = (char)h[345 + i];
if (at > 0)
    out[at++] = '/';
for (uint64 i = 0; i < 100 && h[i] != 0; i++)
    out[at++] = (char)h[i];
while (at > 0 && out[at - 1] == '/')
    at--;
out[at] = 0;`);
      });
      w.blank();
      w.comment(
        "Whether name is a child (or deeper) of folder dir (normalised, \"\" the root):",
        "the length of the part of name to skip, or -1.",
      );
      w.fn("static int64 under(const char *name, const char *dir)", () => {
        w.line(`uint64 d = strlen(dir);
if (d == 0)
    return name[0] != 0 ? 0 : -1;
if (memcmp(name, dir, d) != 0 || name[d] != '/' || name[d + 1] == 0)
    return -1;
return (int64)d + 1;`);
      });
      w.blank();
      w.comment("Whether path (normalised) is a folder of the initrd: a folder entry, or a prefix of some entry's name (the tar's names imply their folders). The root always is.");
      w.fn("int initrd_is_dir(const char *path)", () => {
        w.line(`char name[INITRD_PATH_MAX];
if (path[0] == 0)
    return 1;
const uint8 *h;
for (uint64 at = 0; (h = next_header(&at)) != NULL;) {
    full_name(h, name);
    if (under(name, path) >= 0 || (h[156] == '5' && memcmp(name, path, strlen(path) + 1) == 0))
        return 1;
}
return 0;`);
      });
      w.blank();
      w.comment(
        "The next entry of folder dir from archive offset *cookie on: its name (the",
        "one part under dir) into out, its d_type (4 folder, 8 file, 10 symlink);",
        "1, or 0 at the end. A child that an earlier entry already named (a folder",
        "implied by several files) is skipped, so each name comes once.",
      );
      w.fn("int initrd_dir_next(const char *dir, uint64 *cookie, char out[INITRD_PATH_MAX], int *type)", () => {
        w.line(`char name[INITRD_PATH_MAX], other[INITRD_PATH_MAX];
for (;;) {
    uint64 here = *cookie;
    const uint8 *h = next_header(cookie);
    if (h == NULL)
        break;
    full_name(h, name);
    int64 found = under(name, dir);
    if (found < 0)
        continue;
    uint64 skip = (uint64)found;
    uint64 len = 0;
    while (name[skip + len] != 0 && name[skip + len] != '/')
        len++;
    int deeper = name[skip + len] == '/';
    /* Named already by an earlier entry? */
    int seen = 0;
    const uint8 *g;
    for (uint64 at = 0; at < here && !seen && (g = next_header(&at)) != NULL;) {
        full_name(g, other);
        if (memcmp(other, name, skip + len) == 0 && (other[skip + len] == 0 || other[skip + len] == '/'))
            seen = 1;
    }
    if (seen)
        continue;
    memcpy(out, name + skip, len);
    out[len] = 0;
    *type = deeper || h[156] == '5' ? 4 : h[156] == '2' ? 10 : 8;
    return 1;
}
return 0;`);
      });
    });
  },
};
