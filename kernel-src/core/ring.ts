// include/ring.h: the message a Fusion Ring carries, as its users see it
// (core/ipc.c adds the sequence number that makes it a slot).
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";

const source = "core/ring.ts";

export const ring: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    if (!k.ipc.enable) return undefined;
    const summary = "struct ipc_msg: an 8-byte header (with the slot's sequence number) and 56 bytes inline, or a descriptor of shared pages.";
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
    });
  },
};
