// Self-tests of the Fusion Rings (core/ipc.c, include/ring.h), in the build
// only with kernel.ipc.enable: order, overflow, batches, descriptors, blocking.
import { c } from "../../writer.ts";
import type { KernelConfig, SelfTest } from "./test.ts";

type RingTest = Pick<SelfTest, "name" | "options" | "helpers" | "body">;

/** What every ring test is built with: the ring header, its capacity (a function, so no tunables header), the batch size. */
function withRing(k: KernelConfig, test: RingTest): SelfTest {
  return {
    ...test,
    options: ["kernel.ipc.enable", ...test.options],
    includes: ["ring.h"],
    declarations: ["#define EXO_RING_CAP ring_capacity()", `#define EXO_RING_BATCH ${k.ipc.batchSize} /* kernel.ipc.batchSize */`],
  };
}

/** Three laps of pushes and pops: messages come out in order and positions wrap. */
const ringOrder: RingTest = {
  name: "ring_order",
  options: [],
  body: c`
    struct ipc_ring *r = ring_create();
    struct ipc_msg m = { 0 }, in;
    if (r == NULL)
        return "ring_create failed";
    for (uint32 round = 0; round < 3; round++) { /* three laps, so positions wrap */
        for (uint32 i = 0; i < EXO_RING_CAP; i++) {
            m.tag = (uint16)i;
            if (ring_try_push(r, &m) != 0)
                return "a push into a ring with room failed";
        }
        for (uint32 i = 0; i < EXO_RING_CAP; i++)
            if (ring_try_pop(r, &in) != 0 || in.tag != (uint16)i)
                return "messages came out of order";
    }
    if (ring_try_pop(r, &in) != -1)
        return "an empty ring gave a message";
    ring_destroy(r);
  `,
};

/** A full ring refuses a push exactly at its capacity; one pop makes room for one push. */
const ringOverflow: RingTest = {
  name: "ring_overflow",
  options: [],
  body: c`
    struct ipc_ring *r = ring_create();
    struct ipc_msg m = { 0 }, in;
    uint32 n = 0;
    if (r == NULL)
        return "ring_create failed";
    while (n <= EXO_RING_CAP && ring_try_push(r, &m) == 0)
        n++;
    if (n != EXO_RING_CAP)
        return "a full ring did not refuse exactly at its capacity";
    if (ring_try_pop(r, &in) != 0 || ring_try_push(r, &m) != 0 || ring_try_push(r, &m) != -1)
        return "one pop did not make room for exactly one push";
    ring_destroy(r);
    detail_str("capacity ");
    detail_num(n);
  `,
};

/** Batches of kernel.ipc.batchSize fill the ring exactly and come out in order. */
const ringBatch: RingTest = {
  name: "ring_batch",
  options: ["kernel.ipc.batchSize"],
  body: c`
    static struct ipc_msg batch[EXO_RING_BATCH];
    struct ipc_ring *r = ring_create();
    struct ipc_msg in;
    uint32 total = 0, n;
    if (r == NULL)
        return "ring_create failed";
    for (uint32 i = 0; i < EXO_RING_BATCH; i++)
        batch[i].tag = (uint16)i;
    while ((n = ring_push_batch(r, batch, EXO_RING_BATCH)) > 0)
        total += n;
    if (total != EXO_RING_CAP)
        return "batches did not fill the ring exactly";
    for (uint32 i = 0; i < total; i++)
        if (ring_try_pop(r, &in) != 0 || in.tag != (uint16)(i % EXO_RING_BATCH))
            return "a batch came out of order";
    ring_destroy(r);
    detail_str("batch ");
    detail_num(EXO_RING_BATCH);
  `,
};

/** A large message goes through shared pages (freed after), a small one inline. */
const ringDescriptor: RingTest = {
  name: "ring_descriptor",
  options: [],
  body: c`
    static uint8 big[10000];
    uint64 len, free_before = buddy_free_pages();
    struct ipc_ring *r = ring_create();
    struct ipc_msg m, in;
    if (r == NULL)
        return "ring_create failed";
    for (uint32 i = 0; i < sizeof big; i++)
        big[i] = (uint8)(i * 7);
    if (ipc_msg_make(&m, 9, big, sizeof big) != 0 || m.kind != IPC_DESCRIPTOR)
        return "a 10000-byte message did not become a descriptor";
    if (ring_try_push(r, &m) != 0 || ring_try_pop(r, &in) != 0)
        return "the descriptor did not go through the ring";
    const uint8 *data = ipc_msg_data(&in, &len);
    if (len != sizeof big || memcmp(data, big, sizeof big) != 0)
        return "the shared pages did not carry the payload";
    ipc_msg_release(&in);
    if (ipc_msg_make(&m, 1, "exo", 3) != 0 || m.kind != IPC_INLINE)
        return "a 3-byte message did not go inline";
    ring_destroy(r);
    if (buddy_free_pages() != free_before)
        return "the shared pages were not freed";
    detail_str("10000 B in shared pages, 3 B inline");
  `,
};

/** A producer and a consumer thread, twice the capacity: both wait and nothing is lost. */
const ringBlocking: RingTest = {
  name: "ring_blocking",
  options: [],
  helpers: c`
    static struct ipc_ring *block_ring;
    static volatile uint32 consumed;
    static void consumer(void *arg)
    {
        struct ipc_msg in;
        uint32 n = (uint32)(uint64)arg;
        for (uint32 i = 0; i < n; i++) {
            ring_pop(block_ring, &in);
            if (in.tag != (uint16)i)
                return;
            consumed++;
        }
    }
  `,
  body: c`
    uint32 n = EXO_RING_CAP * 2 + 5;
    struct ipc_msg m = { 0 };
    struct thread *t;
    consumed = 0;
    if ((block_ring = ring_create()) == NULL || (t = thread_create("consumer", consumer, (void *)(uint64)n)) == NULL)
        return "setup failed";
    thread_run(t);
    for (uint32 i = 0; i < n; i++) { /* twice the capacity: the producer must wait for room */
        m.tag = (uint16)i;
        ring_push(block_ring, &m);
    }
    thread_join(t);
    ring_destroy(block_ring);
    if (consumed != n)
        return "the consumer lost or reordered messages";
    detail_str("messages ");
    detail_num(n);
  `,
};

/** The ring tests when IPC is on, none when it is off. */
export function ipcTests(k: KernelConfig): SelfTest[] {
  if (!k.ipc.enable) return [];
  return [ringOrder, ringOverflow, ringBatch, ringDescriptor, ringBlocking].map((t) => withRing(k, t));
}
