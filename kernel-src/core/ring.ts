// include/ring.h: the message a Fusion Ring carries, the ring itself, and
// its one-message push and pop, inline in every caller (core/ipc.c has the
// rest: making rings, batches, waits).
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";

const source = "core/ring.ts";

export const ring: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    if (!k.ipc.enable) return undefined;
    const summary =
      "struct ipc_msg: an 8-byte header (with the slot's sequence number) and 56 bytes inline, or a descriptor of shared pages; the ring, and its inline push and pop of one message.";
    return emit({ source, path: "include/ring.h", summary, options: ["kernel.ipc.enable"] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line('#include "types.h"');
      w.blank();
      w.line("#define IPC_INLINE_BYTES 56", "#define IPC_INLINE 0     /* the payload is in the message */", "#define IPC_DESCRIPTOR 1 /* the payload holds a struct ipc_desc */");
      w.blank();
      w.comment("A message: 4 header bytes here, after the slot's 4-byte sequence number.");
      w.line(`struct ipc_msg {
    uint16 tag;  /* what the message means; chosen by the sender */
    uint8 len;   /* payload bytes in use */
    uint8 kind;  /* IPC_INLINE or IPC_DESCRIPTOR */
    uint8 payload[IPC_INLINE_BYTES];
};`);
      w.blank();
      w.comment("A payload too big for a slot: shared pages from page_alloc(order), owned by the receiver once popped.");
      w.c`
        struct ipc_desc {
            uint64 addr;
            uint64 len;
            uint32 order;
        };
      `;
      w.line('_Static_assert(sizeof(struct ipc_desc) <= IPC_INLINE_BYTES, "a descriptor fits inline");');
      w.blank();
      w.comment(
        "One slot, one cache line. seq says whose turn it is: equal to the",
        "position means free for the producer of that position, position + 1",
        "means full for its consumer (Vyukov's bounded queue).",
      );
      w.line(`struct ipc_slot {
    _Alignas(64) uint32 seq;
    struct ipc_msg msg;
};
_Static_assert(sizeof(struct ipc_slot) == 64, "a Fusion Ring slot is one 64-byte cache line");`);
      w.blank();
      w.comment(
        "The two positions only grow; each has a cache line of its own so producers",
        "and consumers never share one. mask (the slot count, a power of two, less",
        "one) is the ring's, so this header holds no tunable.",
      );
      w.line(`struct ipc_ring {
    _Alignas(64) uint64 tail; /* next position to push */
    _Alignas(64) uint64 head; /* next position to pop */
    _Alignas(64) struct ipc_slot *slots;
    uint64 mask;              /* kernel.ipc.ringSlots - 1 */
    uint32 order;             /* slots come from page_alloc(order) */
};`);
      w.blank();
      w.fn("static inline void ipc_copy8(uint8 *to, const uint8 *from)", () => {
        w.line("uint64 x;", "__builtin_memcpy(&x, from, 8);", "__builtin_memcpy(to, &x, 8);");
      });
      w.blank();
      w.comment(
        "Copy a message's bytes in use: its 4-byte header and len bytes of payload,",
        "in 8-byte words (the last, at most, a 4-byte one); what follows in d is",
        "stale, and no reader looks past len. The first two words always go (a",
        "short message: 4 moves and a test); the rest only for a longer one.",
      );
      w.fn("static inline void ipc_msg_copy(struct ipc_msg *d, const struct ipc_msg *s)", () => {
        w.line(`uint8 *to = (uint8 *)d;
const uint8 *from = (const uint8 *)s;
uint32 len = s->len, x;
ipc_copy8(to, from);
ipc_copy8(to + 8, from + 8);
if (__builtin_expect(len <= 12, 1))
    return;
switch ((4 + len + 7) / 8) {
case 8:
    __builtin_memcpy(&x, from + 56, 4);
    __builtin_memcpy(to + 56, &x, 4);
    __attribute__((fallthrough));
case 7:
    ipc_copy8(to + 48, from + 48);
    __attribute__((fallthrough));
case 6:
    ipc_copy8(to + 40, from + 40);
    __attribute__((fallthrough));
case 5:
    ipc_copy8(to + 32, from + 32);
    __attribute__((fallthrough));
case 4:
    ipc_copy8(to + 24, from + 24);
    __attribute__((fallthrough));
case 3:
    ipc_copy8(to + 16, from + 16);
    break;
default: /* a len no message has: all of it */
    *d = *s;
}`);
      });
      w.blank();
      w.comment("Push one message. Returns 0, or -1 when the ring is full.");
      w.fn("static inline int ring_try_push(struct ipc_ring *r, const struct ipc_msg *m)", () => {
        w.line(`struct ipc_slot *slots = r->slots;
uint64 pos = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
for (;;) {
    struct ipc_slot *s = &slots[pos & r->mask];
    int32 d = (int32)(__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) - (uint32)pos);
    if (d == 0) {
        if (__atomic_compare_exchange_n(&r->tail, &pos, pos + 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            ipc_msg_copy(&s->msg, m);
            __atomic_store_n(&s->seq, (uint32)pos + 1, __ATOMIC_RELEASE);
            return 0;
        }
    } else if (d < 0) {
        return -1;
    } else {
        pos = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
    }
}`);
      });
      w.blank();
      w.comment("Pop the oldest message into *m. Returns 0, or -1 when the ring is empty.");
      w.fn("static inline int ring_try_pop(struct ipc_ring *r, struct ipc_msg *m)", () => {
        w.line(`struct ipc_slot *slots = r->slots;
uint64 pos = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
for (;;) {
    struct ipc_slot *s = &slots[pos & r->mask];
    int32 d = (int32)(__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) - (uint32)(pos + 1));
    if (d == 0) {
        if (__atomic_compare_exchange_n(&r->head, &pos, pos + 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            ipc_msg_copy(m, &s->msg);
            __atomic_store_n(&s->seq, (uint32)(pos + r->mask + 1), __ATOMIC_RELEASE);
            return 0;
        }
    } else if (d < 0) {
        return -1;
    } else {
        pos = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
    }
}`);
      });
    });
  },
};
