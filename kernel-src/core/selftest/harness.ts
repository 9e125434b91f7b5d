// The C around the tests in core/selftest.c: the detail a test reports, the
// helpers that run user processes, the table of tests and selftest_run, which
// prints the `EXO-TEST <name> ok|FAIL [detail]` lines generator/run reads.
// The detail and run helpers are shared with the port's arch/<arch>/selftest.c
// through include/selftest.h.
import type { Writer } from "../../writer.ts";
import type { SelfTest } from "./test.ts";

/** The detail buffer and the functions a test appends text and numbers to it with. */
export function detailHelpers(w: Writer): void {
  w.comment("The detail printed after ok/FAIL, built up by the test.");
  w.c`
    static char detail[256];
    static uint32 detail_len;
  `;
  w.blank();
  w.fn("void detail_str(const char *s)", () =>
    w.c`
      while (*s != 0 && detail_len < sizeof detail - 1)
          detail[detail_len++] = *s++;
      detail[detail_len] = 0;
    `,
  );
  w.blank();
  w.fn("static void detail_base(uint64 v, uint32 base)", () =>
    w.c`
      char buf[24];
      int i = 0;
      do {
          buf[i++] = "0123456789abcdef"[v % base];
          v /= base;
      } while (v != 0);
      while (i > 0 && detail_len < sizeof detail - 1)
          detail[detail_len++] = buf[--i];
      detail[detail_len] = 0;
    `,
  );
  w.blank();
  w.c`
    void detail_num(uint64 v)
    {
        detail_base(v, 10);
    }
    void detail_hex(uint64 v)
    {
        detail_str("0x");
        detail_base(v, 16);
    }
  `;
}

/** run_builtin (initcode's program in a mode) and run_file (an ELF of the initrd), each to its end. */
export function runHelpers(w: Writer): void {
  w.comment("Run a user process to its end: its exit status (*killed: a fault or kill ended it), or NOT_STARTED.");
  w.fn("int64 run_builtin(const char *name, uint64 caps, uint64 mode, uint64 arg, int *killed)", () =>
    w.c`
      struct uproc *p = uproc_spawn(name, caps, mode, arg);
      return p == NULL ? NOT_STARTED : uproc_wait(p, killed);
    `,
  );
  w.fn("int64 run_file(const char *path, uint64 caps, uint64 arg, int *killed)", () =>
    w.c`
      struct uproc *p;
      return uproc_spawn_file(path, caps, arg, &p) != 0 ? NOT_STARTED : uproc_wait(p, killed);
    `,
  );
}

/** Each test's helpers and its function `test_<name>`, which returns NULL when it passed (static, unless another file's table calls it). */
export function testFunctions(w: Writer, tests: readonly SelfTest[], linkage: "static" | "extern" = "static"): void {
  for (const t of tests) {
    w.blank();
    if (t.helpers !== undefined) w.line(t.helpers).blank();
    w.fn(`${linkage === "static" ? "static " : ""}const char *test_${t.name}(void)`, () => w.line(t.body, "return NULL;"));
  }
}

/** The table of tests in the order given, and selftest_run, which runs them all and exits. */
export function runner(w: Writer, tests: readonly SelfTest[]): void {
  w.c`
    static const struct {
        const char *name;
        const char *(*fn)(void);
    } tests[] = {
        ${tests.map((t) => `{ "${t.name}", test_${t.name} },`)}
    };
  `;
  w.blank();
  w.comment("Run every test in table order, print one EXO-TEST line each, and stop with 0 if all passed, 1 if not.");
  w.fn("void selftest_run(void)", () =>
    w.c`
      int failed = 0;
      for (uint32 i = 0; i < sizeof tests / sizeof tests[0]; i++) {
          detail_len = 0;
          detail[0] = 0;
          const char *why = tests[i].fn();
          if (why == NULL) {
              kprintf("EXO-TEST %s ok%s%s\n", tests[i].name, detail_len > 0 ? " " : "", detail);
          } else {
              kprintf("EXO-TEST %s FAIL %s\n", tests[i].name, why);
              failed = 1;
          }
      }
      kprintf("exo: selftest: %s\n", failed ? "FAILED" : "all passed");
      arch_halt(failed);
    `,
  );
}
