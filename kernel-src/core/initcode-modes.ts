// The modes of the built-in user program every port writes in its own
// assembly (arch/<arch>/initcode.S): the spawn argument picks one. The
// self-tests and benchmarks spawn it by these numbers.
export const USER_MODES = { hello: 0, fault: 1, syscall: 2, bench: 3, memory: 4, badptr: 5, send: 6, recv: 7, spin: 8, regs: 9 } as const;
