// The FPU test every port runs (arch/<arch>/selftest.ts lists it): two threads
// keep their own FP registers across switches (fpu_test_put/get are the
// port's testasm.S); lazily, a thread that never used the FPU is never saved.
// The port names its registers and may add a check of its own lazy state.
import { c } from "../../writer.ts";
import type { SelfTest } from "./test.ts";

export interface FpuTestPort {
  /** The registers, as failures name them: "an SSE register", "an FP/SIMD register". */
  readonly register: string;
  /** The detail before the number of saves: "fxsaves ", "q-register saves ". */
  readonly savesLabel: string;
  /** Lazy mode only: C lines that return a reason if the hardware's lazy state is wrong after the threads ended. */
  readonly lazyCheck?: readonly string[];
}

export function fpuTest(lazy: boolean, port: FpuTestPort): SelfTest {
  return {
    name: lazy ? "lazy_fpu" : "eager_fpu",
    options: ["kernel.contextSwitch.lazyFpu"],
    helpers: c`
      static volatile int fpu_bad;
      static void fpu_worker(void *arg)
      {
          uint64 v = (uint64)arg;
          fpu_test_put(v);
          for (int i = 0; i < 20; i++) {
              yield();
              if (fpu_test_get() != v)
                  fpu_bad = 1;
          }
      }
      static void no_fpu_worker(void *arg)
      {
          (void)arg;
          for (int i = 0; i < 20; i++)
              yield();
          if (curthread->fpu_used)
              fpu_bad = 2;
      }
    `,
    body: c`
      struct thread *t[3];
      fpu_bad = 0;
      uint64 saves = fpu_saves;
      t[0] = thread_create("fpu-a", fpu_worker, (void *)0x1111222233334444UL);
      t[1] = thread_create("fpu-b", fpu_worker, (void *)0x5555666677778888UL);
      t[2] = thread_create("no-fpu", no_fpu_worker, NULL);
      if (t[0] == NULL || t[1] == NULL || t[2] == NULL)
          return "thread_create failed";
      for (int i = 0; i < 3; i++)
          thread_run(t[i]);
      for (int i = 0; i < 3; i++)
          thread_join(t[i]);
      if (fpu_bad == 1)
          return "${port.register} changed across a switch";
      if (fpu_bad == 2 && ${lazy ? 1 : 0})
          return "a thread that never used the FPU had its state saved";
      ${lazy ? (port.lazyCheck ?? []) : ""}
      saves = fpu_saves - saves;
      detail_str("${port.savesLabel}");
      detail_num(saves);
    `,
  };
}
