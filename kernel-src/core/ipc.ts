// core/ipc.c: Fusion Rings, single-producer single-consumer rings of 64-byte
// slots with the payload inline. Emitted only when kernel.ipc.enable is set.
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";
import { alignColumns, type Writer } from "../writer.ts";

const source = "core/ipc.ts";

function layout(w: Writer): void {
  w.line(
    ...alignColumns([
      ["#define", "IPC_SLOT_BYTES", "64"],
      ["#define", "IPC_HEADER_BYTES", "8"],
      ["#define", "IPC_INLINE_BYTES", "(IPC_SLOT_BYTES - IPC_HEADER_BYTES)"],
      ["#define", "IPC_RING_MASK", "(EXO_IPC_RING_SLOTS - 1)"],
    ]),
  );
  w.blank();
  w.comment("One message: an 8-byte header and the inline payload, one cache line.");
  w.block("struct ipc_slot {", () => {
    w.line(
      ...alignColumns([
        ["_Alignas(64) uint32 tag;", "/* what the message means; chosen by the sender */"],
        ["uint32 len;", "/* payload bytes in use */"],
      ]),
      "uint8 payload[IPC_INLINE_BYTES];",
    );
  }, "};");
  w.blank();
  w.line('_Static_assert(sizeof(struct ipc_slot) == 64, "a Fusion Ring slot is one 64-byte cache line");');
  w.line('_Static_assert(IPC_INLINE_BYTES == 56, "a slot carries 56 bytes of payload inline");');
  w.line('_Static_assert((EXO_IPC_RING_SLOTS & IPC_RING_MASK) == 0, "kernel.ipc.ringSlots is a power of two");');
  w.blank();
  w.comment(
    "head and tail only grow; a slot's index is the counter masked by",
    "IPC_RING_MASK. Each counter has a cache line of its own, so the producer",
    "and the consumer never write the same line.",
  );
  w.block("struct ipc_ring {", () => {
    w.line(
      ...alignColumns([
        ["_Alignas(64) uint64 head;", "/* next slot to pop: written by the consumer */"],
        ["_Alignas(64) uint64 tail;", "/* next slot to push: written by the producer */"],
      ]),
      "struct ipc_slot slots[EXO_IPC_RING_SLOTS];",
    );
  }, "};");
  w.blank();
  w.comment("The ring the boot self-check runs on, and the batch it sends (too big for the stack).");
  w.line("static struct ipc_ring boot_ring;", "static struct ipc_slot boot_batch[EXO_IPC_BATCH_SIZE];");
}

function operations(w: Writer): void {
  w.comment(
    "Push up to n messages, at most EXO_IPC_BATCH_SIZE, and publish them all with",
    "one release store of tail. Returns how many were pushed: fewer than n when",
    "the ring fills up.",
  );
  w.fn("static uint32 ring_push_batch(struct ipc_ring *r, const struct ipc_slot *msgs, uint32 n)", () => {
    w.line("uint64 tail = r->tail;");
    w.line("uint64 room = EXO_IPC_RING_SLOTS - (tail - __atomic_load_n(&r->head, __ATOMIC_ACQUIRE));");
    w.blank();
    w.line("if (n > room)").indent(() => w.line("n = (uint32)room;"));
    w.line("if (n > EXO_IPC_BATCH_SIZE)").indent(() => w.line("n = EXO_IPC_BATCH_SIZE;"));
    w.line("for (uint32 i = 0; i < n; i++)").indent(() => w.line("r->slots[(tail + i) & IPC_RING_MASK] = msgs[i];"));
    w.line("__atomic_store_n(&r->tail, tail + n, __ATOMIC_RELEASE);");
    w.line("return n;");
  });
  w.blank();
  w.comment(
    "Push one message, spinning up to EXO_IPC_SPIN_ITERATIONS times while the",
    "ring is full. Returns 0, or -1 if it stayed full (the caller then yields).",
  );
  w.fn("static int ring_send(struct ipc_ring *r, const struct ipc_slot *msg)", () => {
    w.block("for (uint32 spin = 0; spin <= EXO_IPC_SPIN_ITERATIONS; spin++) {", () => {
      w.line("if (ring_push_batch(r, msg, 1) == 1)").indent(() => w.line("return 0;"));
      w.line("cpu_relax();");
    });
    w.line("return -1;");
  });
  w.blank();
  w.comment(
    "Pop the oldest message into *msg. Returns 0, or -1 when the ring is empty.",
    "The acquire load of tail orders the producer's slot writes before our reads.",
  );
  w.fn("static int ring_recv(struct ipc_ring *r, struct ipc_slot *msg)", () => {
    w.line("uint64 head = r->head;");
    w.blank();
    w.line("if (head == __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE))").indent(() => w.line("return -1;"));
    w.line("*msg = r->slots[head & IPC_RING_MASK];");
    w.line("__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);");
    w.line("return 0;");
  });
}

function selftest(w: Writer): void {
  w.comment(
    "Boot self-check: one message there and back, a whole batch in order, one",
    "slot more than the ring holds so the indices wrap, then a full ring that",
    "must refuse a send. Returns NULL, or what went wrong.",
  );
  w.fn("static const char *ipc_selftest(void)", () => {
    w.line("struct ipc_ring *r = &boot_ring;");
    w.line('struct ipc_slot out = { .tag = 1, .len = 3, .payload = "exo" };');
    w.line("struct ipc_slot in;");
    w.line("uint32 n;");
    w.blank();
    w.line("if (ring_send(r, &out) != 0 || ring_recv(r, &in) != 0)").indent(() => w.line('return "ipc: a message did not go through the ring";'));
    w.line("if (in.tag != out.tag || in.len != out.len || memcmp(in.payload, out.payload, IPC_INLINE_BYTES) != 0)").indent(() =>
      w.line('return "ipc: a message came back changed";'),
    );
    w.line("if (ring_recv(r, &in) != -1)").indent(() => w.line('return "ipc: the ring is not empty after a push and a pop";'));
    w.blank();
    w.line("for (uint32 i = 0; i < EXO_IPC_BATCH_SIZE; i++)").indent(() => w.line("boot_batch[i].tag = i;"));
    w.line("n = ring_push_batch(r, boot_batch, EXO_IPC_BATCH_SIZE);");
    w.line("if (n != (EXO_IPC_BATCH_SIZE < EXO_IPC_RING_SLOTS ? EXO_IPC_BATCH_SIZE : EXO_IPC_RING_SLOTS))").indent(() =>
      w.line('return "ipc: a batch push was cut short";'),
    );
    w.line("for (uint32 i = 0; i < n; i++)").indent(() =>
      w.line("if (ring_recv(r, &in) != 0 || in.tag != i)").indent(() => w.line('return "ipc: a batch came back out of order";')),
    );
    w.blank();
    w.block("for (uint32 i = 0; i <= EXO_IPC_RING_SLOTS; i++) {", () => {
      w.line("out.tag = i;");
      w.line("if (ring_send(r, &out) != 0 || ring_recv(r, &in) != 0 || in.tag != i)").indent(() =>
        w.line('return "ipc: the ring broke when its indices wrapped";'),
      );
    });
    w.blank();
    w.line("for (n = 0; n < EXO_IPC_RING_SLOTS && ring_send(r, &out) == 0; n++)").indent(() => w.line(";"));
    w.line("if (n != EXO_IPC_RING_SLOTS || ring_send(r, &out) != -1)").indent(() =>
      w.line('return "ipc: a full ring did not hold exactly its slots";'),
    );
    w.line("while (ring_recv(r, &in) == 0)").indent(() => w.line(";"));
    w.line("return NULL;");
  });
}

export const ipc: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    if (!k.ipc.enable) return undefined;
    const options = ["kernel.ipc.enable", "kernel.ipc.ringSlots", "kernel.ipc.batchSize", "kernel.ipc.spinIterations"];
    const summary = "Fusion Rings IPC: lock-free rings of 64-byte slots that carry small messages inline, in one cache line.";
    return emit({ source, path: "core/ipc.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "param.h"', '#include "cpu.h"', '#include "defs.h"');
      w.blank();
      layout(w);
      w.blank();
      operations(w);
      w.blank();
      selftest(w);
      w.blank();
      w.comment("Print the IPC banner line and run the self-check; a failure panics.");
      w.fn("void ipc_init(void)", () => {
        w.line('kprintf("exo: ipc: fusion rings, %d slots x %d B, inline %d B, batch %d\\n",');
        w.line("        EXO_IPC_RING_SLOTS, IPC_SLOT_BYTES, IPC_INLINE_BYTES, EXO_IPC_BATCH_SIZE);");
        w.line("const char *failure = ipc_selftest();");
        w.line("if (failure != NULL)").indent(() => w.line("panic(failure);"));
      });
    });
  },
};
