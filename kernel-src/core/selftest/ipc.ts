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

/**
 * Batches that wrap around the ring's end, and a batch larger than the free
 * space, both ways: ring_push_batch and ring_pop_batch take what fits, in order.
 */
const ringBatchWrap: RingTest = {
  name: "ring_batch_wrap",
  options: ["kernel.ipc.batchSize"],
  body: c`
    static struct ipc_msg batch[EXO_RING_BATCH], got[EXO_RING_BATCH];
    struct ipc_ring *r = ring_create();
    struct ipc_msg m = { 0 }, in;
    uint32 b = EXO_RING_BATCH < EXO_RING_CAP ? EXO_RING_BATCH : EXO_RING_CAP; /* a batch the empty ring takes whole */
    uint32 start = EXO_RING_CAP - b / 2, n, k, free = b / 2 + 1;
    if (r == NULL)
        return "ring_create failed";
    for (uint32 i = 0; i < start; i++) /* move both positions to just before the end */
        if (ring_try_push(r, &m) != 0 || ring_try_pop(r, &in) != 0)
            return "a single push or pop failed";
    if (ring_pop_batch(r, got, b) != 0)
        return "an empty ring gave a batch";
    for (uint32 i = 0; i < b; i++)
        batch[i] = (struct ipc_msg){ .tag = (uint16)(100 + i), .len = 1, .payload = { (uint8)i } };
    if ((n = ring_push_batch(r, batch, b)) != b) /* across the end */
        return "a batch across the ring's end was cut short";
    if ((k = ring_pop_batch(r, got, b)) != n)
        return "a batch across the ring's end did not come back whole";
    for (uint32 i = 0; i < k; i++)
        if (got[i].tag != (uint16)(100 + i) || got[i].len != 1 || got[i].payload[0] != (uint8)i)
            return "a batch across the ring's end came out changed or out of order";
    for (uint32 i = 0; i < EXO_RING_CAP - free; i++) /* leave room for free messages only */
        if (ring_try_push(r, &m) != 0)
            return "a push into a ring with room failed";
    if ((n = ring_push_batch(r, batch, b)) != (free < b ? free : b))
        return "a batch larger than the free space did not take exactly the free slots";
    if (n == free && ring_push_batch(r, batch, b) != 0)
        return "a full ring took a batch";
    for (uint32 i = 0; i < EXO_RING_CAP - free; i++)
        if (ring_try_pop(r, &in) != 0)
            return "the filler did not come back";
    if ((k = ring_pop_batch(r, got, b)) != n || got[0].tag != 100 || got[k - 1].tag != (uint16)(100 + k - 1))
        return "a pop of more than the ring holds did not take exactly what it held";
    if (ring_try_pop(r, &in) != -1)
        return "the ring was not empty after all";
    ring_destroy(r);
    detail_str("batch ");
    detail_num(b);
    detail_str(" from slot ");
    detail_num(start);
  `,
};

/** Every inline length, 0 to 56 bytes, comes out of the ring as it went in, one at a time and in batches. */
const ringLengths: RingTest = {
  name: "ring_lengths",
  options: [],
  body: c`
    static struct ipc_msg sent[IPC_INLINE_BYTES + 1], got[IPC_INLINE_BYTES + 1];
    struct ipc_ring *r = ring_create();
    uint32 n = 0;
    if (r == NULL)
        return "ring_create failed";
    for (uint32 len = 0; len <= IPC_INLINE_BYTES; len++) {
        sent[len] = (struct ipc_msg){ .tag = (uint16)(7 * len), .len = (uint8)len, .kind = IPC_INLINE };
        for (uint32 i = 0; i < len; i++)
            sent[len].payload[i] = (uint8)(len * 31 + i);
        if (ring_try_push(r, &sent[len]) != 0 || ring_try_pop(r, &got[len]) != 0)
            return "a message did not go through";
    }
    for (uint32 done = 0; done <= IPC_INLINE_BYTES; done += n) {
        uint32 want = IPC_INLINE_BYTES + 1 - done;
        n = ring_push_batch(r, &sent[done], want);
        if (n == 0 || ring_pop_batch(r, &got[done], n) != n)
            return "a batch did not go through";
    }
    for (uint32 len = 0; len <= IPC_INLINE_BYTES; len++)
        if (got[len].tag != sent[len].tag || got[len].len != len || got[len].kind != IPC_INLINE || memcmp(got[len].payload, sent[len].payload, len) != 0)
            return "a message came out changed";
    ring_destroy(r);
    detail_str("lengths 0 to ");
    detail_num(IPC_INLINE_BYTES);
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
  return [ringOrder, ringOverflow, ringBatch, ringBatchWrap, ringLengths, ringDescriptor, ringBlocking].map((t) => withRing(k, t));
}
