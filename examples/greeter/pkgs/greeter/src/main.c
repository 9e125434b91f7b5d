/* greeter: print a greeting built by libgreet, then the size of the
 * system's package list, which its sandbox lets it read. */

#include "exo.h"
#include "greet.h"

int main(void)
{
    char line[96];
    struct stat st;
    greet("world", line, sizeof line);
    printf("greeter %s: %s\n", EXO_PACKAGE_VERSION, line);
    int64 fd = open("/etc/exo/packages.json", O_RDONLY);
    if (fd < 0) {
        printf("greeter %s: cannot read /etc/exo/packages.json: error %ld\n", EXO_PACKAGE_VERSION, -fd);
        return 0;
    }
    if (fstat(fd, &st) == 0)
        printf("greeter %s: /etc/exo/packages.json is %lu bytes\n", EXO_PACKAGE_VERSION, st.size);
    close(fd);
    return 0;
}
