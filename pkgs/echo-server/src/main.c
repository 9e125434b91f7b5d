/* echo-server: receive on channel 0, send the same bytes back on channel 1,
 * forever.
 */

#include "exo.h"

static char buf[4096];

int main(void)
{
    printf("echo-server: pid %ld, echoing channel 0 to channel 1\n", getpid());
    for (;;) {
        int64 n = ipc_recv(0, buf, sizeof buf);
        if (n < 0) {
            printf("echo-server: ipc_recv: error %ld\n", -n);
            return 1;
        }
        if (n > (int64)sizeof buf)
            n = sizeof buf;
        n = ipc_send(1, buf, (uint64)n);
        if (n < 0) {
            printf("echo-server: ipc_send: error %ld\n", -n);
            return 1;
        }
    }
}
