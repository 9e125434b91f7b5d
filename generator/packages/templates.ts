// What `exo new` writes: a package folder that builds and boots as it is.
// - cli: a program that prints a line and exits 0, with a task service, so
//   that installing it shows it run at boot (init waits for it; exiting
//   non-zero fails the boot, as a test would).
// - service: a daemon that announces itself and sleeps until init stops it.
// - library: an archive and a header other packages build against; it has
//   no service, so it boots only inside a program that links it.
export const TEMPLATES = ["cli", "service", "library"] as const;
export type TemplateName = (typeof TEMPLATES)[number];

/** The first line of a manifest: editors complete and check it against the JSON Schema it names. */
export const SCHEMA_LINE = (schemaPath: string): string => `# yaml-language-server: $schema=${schemaPath}\n`;

/** A C identifier from a package name: `my-app` → `my_app`. */
export const cIdentifier = (name: string): string => name.replace(/-/g, "_");

/** Every file of a new package, by path inside its folder. `schemaPath` is the JSON Schema, relative to that folder. */
export function templateFiles(template: TemplateName, name: string, schemaPath: string): Record<string, string> {
  const header = SCHEMA_LINE(schemaPath);
  switch (template) {
    case "cli":
      return {
        [`${name}.exopkg`]: `${header}package:
  name: ${name}
  version: 0.1.0
  description: Prints a line and exits.
  license: MIT
sources: [src/main.c]
sandbox:
  capabilities: [console]
# A task: init runs it at boot and waits for it; a non-zero status fails the boot.
services:
  - name: ${name}
`,
        "src/main.c": `/* ${name}: print a line and exit 0. */

#include "exo.h"

int main(void)
{
    printf("${name}: hello from pid %ld\\n", getpid());
    return 0;
}
`,
      };
    case "service":
      return {
        [`${name}.exopkg`]: `${header}package:
  name: ${name}
  version: 0.1.0
  description: A daemon that runs until init stops it.
  license: MIT
sources: [src/main.c]
sandbox:
  capabilities: [console, time]
# A daemon: it runs beside the tasks, and exiting before init stops it is a failure.
services:
  - name: ${name}
    daemon: true
    restart: on-failure
`,
        "src/main.c": `/* ${name}: announce itself, then wait until init stops it. */

#include "exo.h"

int main(void)
{
    printf("${name}: running as pid %ld\\n", getpid());
    for (;;) {
        int64 err = nanosleep(1000000000);
        if (err < 0) {
            printf("${name}: nanosleep: error %ld\\n", -err);
            return 1;
        }
    }
}
`,
      };
    case "library": {
      const id = cIdentifier(name);
      return {
        [`${name}.exopkg`]: `${header}package:
  name: ${name}
  version: 0.1.0
  description: A library other packages link against.
  license: MIT
  kind: library
sources: [src/${name}.c]
headers: [include/${name}.h]
# A program uses it with \`dependencies: { build: { ${name}: ^0.1 } }\` and \`#include "${name}.h"\`.
`,
        [`include/${name}.h`]: `/* ${name}: what programs that link the library may call. */
#pragma once

/* Print a greeting to 'who' on the console. */
void ${id}_greet(const char *who);
`,
        [`src/${name}.c`]: `/* ${name}: the library's code. */

#include "exo.h"
#include "${name}.h"

void ${id}_greet(const char *who)
{
    printf("${name}: hello, %s\\n", who);
}
`,
      };
    }
  }
}
