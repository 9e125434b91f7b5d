// The three POSIX-X dispatch paths, as C that core/syscall.c (Exo's ABI) and
// core/linux.c (Linux's) both emit for their own numbers:
// - hot: a table entry.S calls straight from the entry, without the full
//   register frame (each entry checks its capability itself);
// - warm: the indexed C table syscall_dispatch reads, behind the full frame;
// - cold: an emulation path: no table slot, the call's number and arguments
//   marshalled into a struct and the handler found by a search of a list.
import type { Writer } from "../writer.ts";
import { alignColumns } from "../writer.ts";

/** One syscall of a tier, as the C of one ABI names it. */
export interface TierEntry {
  readonly nr: number;
  /** The number as the C writes it, when a header names it (sysnum.h's SYS_*); else the number. */
  readonly nrName?: string;
  readonly name: string;
  /** The C function taking (a0, ..., a5) or fewer. */
  readonly fn: string;
  /** The CAP_* macro the call needs, or CAP_NONE. */
  readonly cap: string;
  /** How many of a0..a5 the handler reads (0: it may be a hot0 entry); unknown: taken as all. */
  readonly args?: number;
}

/** How many arguments a handler body reads: one past the highest a0..a5 it names. */
export function argsRead(body: string): number {
  return Math.max(0, ...[...body.matchAll(/\ba([0-5])\b/g)].map((m) => Number(m[1]) + 1));
}

const ARGS = "uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 a4, uint64 a5";

/**
 * The hot table `<table>` (indexed by number, NULL where a number is not hot)
 * and `<table>_count`, which entry.S reads. Each entry checks its capability,
 * as the warm table's caller does.
 */
export function emitHotTable(w: Writer, table: string, size: number, entries: readonly TierEntry[], call: (fn: string) => string): void {
  for (const e of entries) {
    w.blank();
    w.fn(`static int64 ${table}_${e.name}(${ARGS})`, () => {
      const used = new Set(call(e.fn).match(/\ba[0-5]\b/g) ?? []);
      const unused = ["a0", "a1", "a2", "a3", "a4", "a5"].filter((a) => !used.has(a));
      w.line(...unused.map((a) => `(void)${a};`));
      if (e.cap !== "CAP_NONE") {
        w.line(`if ((uproc_caps() & ${e.cap}) == 0) {`).indent(() => w.line(`sandbox_deny(${e.cap}, "%s", "${e.name}");`, "return -EPERM;"));
        w.line("}");
      }
      w.line(`return ${call(e.fn)};`);
    });
  }
  w.blank();
  w.comment("The hot tier, called by entry.S without the full frame; NULL: not hot, the warm way in.");
  w.table(() => {
    w.line(`int64 (*const ${table}[${Math.max(size, 1)}])(${ARGS}) = {`);
    w.indent(() => w.line(...alignColumns(entries.map((e) => [`[${e.nrName ?? e.nr}]`, `= ${table}_${e.name},`]))));
    w.line("};");
  });
  w.line(`const uint64 ${table}_count = ${Math.max(size, 1)};`);
  emitHot0Table(w, table, size, entries, call);
}

/**
 * The argument-less hot entries again, as ARCH_HOT_LEAF functions taking
 * nothing (`<table>0`, indexed as `<table>`): a port whose entry calls them
 * saves no register around the call, since they keep every one but their
 * result; interrupts stay off, as at the entry. Only ports that define
 * ARCH_HOT_LEAF have them; the others call `<table>`.
 */
function emitHot0Table(w: Writer, table: string, size: number, entries: readonly TierEntry[], call: (fn: string) => string): void {
  const leaves = entries.filter((e) => e.args === 0);
  w.blank();
  w.line("#ifdef ARCH_HOT_LEAF");
  for (const e of leaves) {
    w.fn(`static ARCH_HOT_LEAF int64 ${table}0_${e.name}(void)`, () => {
      if (e.cap !== "CAP_NONE") {
        w.line(`if ((uproc_caps() & ${e.cap}) == 0) {`).indent(() => w.line(`sandbox_deny(${e.cap}, "%s", "${e.name}");`, "return -EPERM;"));
        w.line("}");
      }
      w.line(`return ${call(e.fn).replace(/\ba[0-5]\b/g, "0")};`);
    });
  }
  w.comment("The hot entries that take no argument, called with nothing saved; NULL: see the table above.");
  w.table(() => {
    w.line(`int64 (*const ${table}0[${Math.max(size, 1)}])(void) ARCH_HOT_LEAF = {`);
    w.indent(() => w.line(...alignColumns(leaves.map((e) => [`[${e.nrName ?? e.nr}]`, `= ${table}0_${e.name},`]))));
    w.line("};");
  });
  w.line("#endif");
}

/**
 * The cold tier's emulation path: `static int64 <prefix>_cold(nr, a0..a5)`,
 * which marshals the call, searches the list and checks the capability;
 * -ENOSYS when the number is not there.
 */
export function emitColdPath(w: Writer, prefix: string, entries: readonly TierEntry[], call: (fn: string) => string): void {
  w.blank();
  w.c`
    struct cold_call {
        uint64 nr, a[6];
    };
  `;
  for (const e of entries) {
    w.fn(`static __attribute__((noinline)) int64 ${prefix}_cold_${e.name}(const struct cold_call *c)`, () => {
      w.line("uint64 a0 = c->a[0], a1 = c->a[1], a2 = c->a[2], a3 = c->a[3], a4 = c->a[4], a5 = c->a[5];", "(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;");
      w.line(`return ${call(e.fn)};`);
    });
  }
  w.comment("The cold tier: searched, not indexed.");
  w.table(() => {
    w.line(`static const struct { uint64 nr; int64 (*fn)(const struct cold_call *c); uint64 cap; const char *name; } ${prefix}_cold_list[] = {`);
    w.indent(() => w.line(...alignColumns(entries.map((e) => [`{ ${e.nrName ?? e.nr},`, `${prefix}_cold_${e.name},`, `${e.cap},`, `"${e.name}" },`])), "{ 0, NULL, 0, NULL },"));
    w.line("};");
  });
  w.blank();
  w.comment("Out of line, and kept so: the compiler must not fold the search into its caller and turn the tier back into a table.");
  w.fn(`static __attribute__((noinline, cold)) int64 ${prefix}_cold(uint64 nr, ${ARGS})`, () => {
    w.line(`struct cold_call c = { nr, { a0, a1, a2, a3, a4, a5 } };
for (int i = 0; ${prefix}_cold_list[i].fn != NULL; i++) {
    if (${prefix}_cold_list[i].nr != c.nr)
        continue;
    if ((${prefix}_cold_list[i].cap & ~uproc_caps()) != 0) {
        sandbox_deny(${prefix}_cold_list[i].cap, "%s", ${prefix}_cold_list[i].name);
        return -EPERM;
    }
    return ${prefix}_cold_list[i].fn(&c);
}
return -ENOSYS;`);
  });
}
