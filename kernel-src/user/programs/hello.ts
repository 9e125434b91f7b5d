// user/bin/hello.c: the smallest package: greet on the console and exit 0.
import { emit, type FixedTemplate } from "../../template.ts";

const source = "user/programs/hello.ts";

export const hello: FixedTemplate = {
  source,
  render() {
    const summary = "hello: print a greeting with the process id and exit 0.";
    return emit({ source, path: "bin/hello.c", summary, options: [] }, (w) => {
      w.line('#include "exo.h"');
      w.blank();
      w.line(`int main(void)
{
    printf("hello: hello from an ELF in the initrd, pid %ld\\n", getpid());
    return 0;
}`);
    });
  },
};
