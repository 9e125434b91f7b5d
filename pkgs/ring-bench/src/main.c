/* ring-bench: time 1000 round trips through echo-server and print the cycles
 * each took.
 */

#include "exo.h"

#define ROUNDS 1000

int main(void)
{
    char msg[16] = "ping ####", back[64];
    uint64 start = cycles();
    for (int i = 0; i < ROUNDS; i++) {
        for (int d = 0, v = i; d < 4; d++, v /= 10)
            msg[8 - d] = (char)('0' + v % 10);
        int64 sent = ipc_send(0, msg, 9), got = ipc_recv(1, back, sizeof back);
        if (sent != 9 || got != 9 || memcmp(msg, back, 9) != 0) {
            printf("ring-bench: round trip %d came back wrong (sent %ld, got %ld)\n", i, sent, got);
            return 1;
        }
    }
    printf("ring-bench: %d round trips through echo-server, %lu cycles each\n", ROUNDS, (cycles() - start) / ROUNDS);
    return 0;
}
