// core/ipc.c: Fusion Rings. A ring is N 64-byte slots (N =
// kernel.ipc.ringSlots, a power of two) with Vyukov's per-slot sequence
// numbers, so producers and consumers synchronise on the slot they use and
// never on a lock. Payloads up to 56 bytes travel inline; larger ones in
// shared pages whose descriptor travels inline. Emitted only with kernel.ipc.enable.
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";

const source = "core/ipc.ts";

/**
 * Retry `attempt` (0 on success) until it succeeds: spin first, then yield the
 * CPU between tries. A spin only pays while no other thread wants this CPU:
 * when one does (on one CPU, likely the peer the waiter waits for), yield at
 * once. A user round trip through echo-server took 20x longer spinning first.
 */
function spinThenYield(attempt: string): string[] {
  return [
    `for (uint32 spin = 0; ${attempt} != 0; spin++) {`,
    "    if (spin < EXO_IPC_SPIN_ITERATIONS && !sched_runnable())",
    "        arch_relax();",
    "    else",
    "        yield(), uproc_checkpoint(); /* a killed process stops waiting */",
    "}",
  ];
}

export const ipc: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    if (!k.ipc.enable) return undefined;
    const options = ["kernel.ipc.enable", "kernel.ipc.ringSlots", "kernel.ipc.batchSize", "kernel.ipc.spinIterations"];
    const summary = "Fusion Rings IPC: lock-free rings of 64-byte slots with per-slot sequence numbers, inline payloads, descriptors to shared pages and batched pushes.";
    return emit({ source, path: "core/ipc.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "ipc_param.h"', '#include "arch.h"', '#include "memlayout.h"', '#include "ring.h"', '#include "defs.h"');
      w.blank();
      w.line(`#define IPC_RING_MASK (EXO_IPC_RING_SLOTS - 1)
#define LOAD(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)`);
      w.blank();
      w.line('_Static_assert(IPC_INLINE_BYTES == 56, "a slot carries 56 bytes of payload inline");', '_Static_assert((EXO_IPC_RING_SLOTS & IPC_RING_MASK) == 0, "kernel.ipc.ringSlots is a power of two");');
      w.blank();
      w.comment("A new empty ring, or NULL when memory is out.");
      w.fn("struct ipc_ring *ring_create(void)", () => {
        w.line(`uint32 order = 0;
while ((PGSIZE << order) < EXO_IPC_RING_SLOTS * sizeof(struct ipc_slot))
    order++;
struct ipc_ring *r = page_alloc(0);
struct ipc_slot *slots = page_alloc(order);
if (r == NULL || slots == NULL)
    return NULL;
memset(r, 0, sizeof *r);
r->slots = slots;
r->mask = IPC_RING_MASK;
r->order = order;
for (uint32 i = 0; i < EXO_IPC_RING_SLOTS; i++)
    slots[i].seq = i;
return r;`);
      });
      w.blank();
      w.fn("void ring_destroy(struct ipc_ring *r)", () => w.line("page_free(r->slots, r->order);", "page_free(r, 0);"));
      w.blank();
      w.fn("uint32 ring_capacity(void)", () => w.line("return EXO_IPC_RING_SLOTS;"));
      w.blank();
      w.comment(
        "Push up to n messages (at most EXO_IPC_BATCH_SIZE) into consecutive slots",
        "and publish them with one release fence. Returns how many were pushed:",
        "fewer than n when the ring fills up.",
      );
      w.fn("uint32 ring_push_batch(struct ipc_ring *r, const struct ipc_msg *msgs, uint32 n)", () => {
        w.line(`struct ipc_slot *slots = r->slots;
uint64 pos = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
uint32 k;
if (n > EXO_IPC_BATCH_SIZE)
    n = EXO_IPC_BATCH_SIZE;
do {
    for (k = 0; k < n; k++)
        if (LOAD(&slots[(pos + k) & IPC_RING_MASK].seq) != (uint32)(pos + k))
            break;
    if (k == 0)
        return 0;
} while (!__atomic_compare_exchange_n(&r->tail, &pos, pos + k, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)); /* the one reservation */
for (uint32 i = 0; i < k; i++)
    ipc_msg_copy(&slots[(pos + i) & IPC_RING_MASK].msg, &msgs[i]);
__atomic_thread_fence(__ATOMIC_RELEASE); /* the one fence: every payload before any sequence number */
for (uint32 i = 0; i < k; i++)
    __atomic_store_n(&slots[(pos + i) & IPC_RING_MASK].seq, (uint32)(pos + i) + 1, __ATOMIC_RELAXED);
return k;`);
      });
      w.blank();
      w.comment(
        "Pop up to n messages (at most EXO_IPC_BATCH_SIZE), the oldest first, from",
        "consecutive full slots taken with one reservation of the head, and hand the",
        "slots back with one release fence. Returns how many were popped: 0 when",
        "the ring is empty.",
      );
      w.fn("uint32 ring_pop_batch(struct ipc_ring *r, struct ipc_msg *msgs, uint32 n)", () => {
        w.line(`struct ipc_slot *slots = r->slots;
uint64 pos = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
uint32 k;
if (n > EXO_IPC_BATCH_SIZE)
    n = EXO_IPC_BATCH_SIZE;
do { /* copied before the reservation: if the head has not moved by then, no one took these slots, so what was read was theirs */
    for (k = 0; k < n; k++) {
        struct ipc_slot *s = &slots[(pos + k) & IPC_RING_MASK];
        if (LOAD(&s->seq) != (uint32)(pos + k + 1))
            break;
        ipc_msg_copy(&msgs[k], &s->msg);
    }
    if (k == 0)
        return 0;
} while (!__atomic_compare_exchange_n(&r->head, &pos, pos + k, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)); /* the one reservation */
__atomic_thread_fence(__ATOMIC_RELEASE); /* the one fence: every payload read before any slot is free again */
for (uint32 i = 0; i < k; i++)
    __atomic_store_n(&slots[(pos + i) & IPC_RING_MASK].seq, (uint32)(pos + i + EXO_IPC_RING_SLOTS), __ATOMIC_RELAXED);
return k;`);
      });
      w.blank();
      w.comment("Push, spinning EXO_IPC_SPIN_ITERATIONS times while the ring is full, then yielding between tries.");
      w.fn("void ring_push(struct ipc_ring *r, const struct ipc_msg *m)", () => w.line(...spinThenYield("ring_try_push(r, m)")));
      w.blank();
      w.comment("Pop, spinning then yielding while the ring is empty.");
      w.fn("void ring_pop(struct ipc_ring *r, struct ipc_msg *m)", () => w.line(...spinThenYield("ring_try_pop(r, m)")));
      w.blank();
      w.comment(
        "Build a message for len bytes of data: inline when it fits 56 bytes, else",
        "copied into shared pages that the message describes (the receiver frees",
        "them with ipc_msg_release). Returns -1 when the pages cannot be had.",
      );
      w.fn("int ipc_msg_make(struct ipc_msg *m, uint16 tag, const void *data, uint64 len)", () => {
        w.line(`m->tag = tag;
if (len <= IPC_INLINE_BYTES) {
    m->kind = IPC_INLINE;
    m->len = (uint8)len;
    memcpy(m->payload, data, len);
    return 0;
}
uint32 order = 0;
while ((PGSIZE << order) < len)
    order++;
void *pages = page_alloc(order);
if (pages == NULL)
    return -1;
memcpy(pages, data, len);
struct ipc_desc *d = (struct ipc_desc *)m->payload;
m->kind = IPC_DESCRIPTOR;
m->len = sizeof *d;
d->addr = (uint64)pages;
d->len = len;
d->order = order;
return 0;`);
      });
      w.blank();
      w.comment("The payload of m and its length, wherever it lives.");
      w.fn("const void *ipc_msg_data(const struct ipc_msg *m, uint64 *len)", () => {
        w.line(`if (m->kind == IPC_INLINE) {
    *len = m->len;
    return m->payload;
}
const struct ipc_desc *d = (const struct ipc_desc *)m->payload;
*len = d->len;
return (const void *)d->addr;`);
      });
      w.blank();
      w.comment("Done with m: a descriptor's shared pages go back to the allocator.");
      w.fn("void ipc_msg_release(struct ipc_msg *m)", () => {
        w.line(`if (m->kind == IPC_DESCRIPTOR) {
    const struct ipc_desc *d = (const struct ipc_desc *)m->payload;
    page_free((void *)d->addr, d->order);
}`);
      });
      w.blank();
      w.comment("Print the IPC banner line.");
      w.fn("void ipc_init(void)", () => {
        w.line('kprintf("exo: ipc: fusion rings, %d slots x %d B, inline %d B, batch %d\\n", EXO_IPC_RING_SLOTS, (int)sizeof(struct ipc_slot), IPC_INLINE_BYTES, EXO_IPC_BATCH_SIZE);');
      });
    });
  },
};
