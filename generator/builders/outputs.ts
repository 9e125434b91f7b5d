// File names inside builders' outputs that other builders read. Kept apart
// from the builders themselves: a builder's key covers every module it
// imports, so naming another's output must not import that builder's code.
export const INITRD_FILE = "initrd.tar";
export const KERNEL_FILE = "kernel.elf";
/** The flat kernel image of ports that boot one (port.qemu.kernelFormat "image"). */
export const KERNEL_IMAGE_FILE = "Image";
