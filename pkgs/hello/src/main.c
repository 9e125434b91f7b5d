/* hello: print a greeting with the process id and exit 0.
 */

#include "exo.h"

int main(void)
{
    printf("hello: hello from an ELF in the initrd, pid %ld\n", getpid());
    return 0;
}
