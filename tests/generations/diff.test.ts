// Package changes between two records: added, removed, and changed in version.
import test from "ava";
import { diffPackages } from "../../generator/generations/diff.ts";
import { renderDiff } from "../../generator/generations/render.ts";

test("packages are added, removed or changed in version", (t) => {
  t.deepEqual(diffPackages({ packages: { init: "0.1.0", hello: "0.1.0", "ring-bench": "0.1.0" } }, { packages: { init: "0.2.0", hello: "0.1.0", "echo-server": "0.1.0" } }), [
    { name: "echo-server", change: "added", oldVersion: null, newVersion: "0.1.0", oldSandbox: null, newSandbox: null },
    { name: "init", change: "changed", oldVersion: "0.1.0", newVersion: "0.2.0", oldSandbox: null, newSandbox: null },
    { name: "ring-bench", change: "removed", oldVersion: "0.1.0", newVersion: null, oldSandbox: null, newSandbox: null },
  ]);
});

test("a package whose sandbox changed is a change even at the same version; a record without sandboxes compares by version", (t) => {
  const before = { packages: { hello: "0.1.0", init: "0.1.0" }, sandboxes: { hello: "console; 256 pages", init: "console; 256 pages" } };
  const after = { packages: { hello: "0.1.0", init: "0.1.0" }, sandboxes: { hello: "console, fs.read; 256 pages; read /etc", init: "console; 256 pages" } };
  const changes = diffPackages(before, after);
  t.deepEqual(changes, [{ name: "hello", change: "changed", oldVersion: "0.1.0", newVersion: "0.1.0", oldSandbox: "console; 256 pages", newSandbox: "console, fs.read; 256 pages; read /etc" }]);
  t.deepEqual(diffPackages({ packages: before.packages }, after), [], "an old record has no sandboxes to compare");
  const text = renderDiff({ options: [], features: { on: [], off: [] }, packages: changes, closureSize: { old: 1, new: 1 }, imageSize: { old: 1, new: 1 }, imageFiles: [] } as never, { a: "a", b: "b" }, false);
  t.regex(text, /package hello sandbox: console; 256 pages → console, fs\.read; 256 pages; read \/etc/);
  t.notRegex(text, /0\.1\.0 → 0\.1\.0/, "an unchanged version is not shown as a change");
});

test("a changed map is shown key by key, and boot-menu generations as their own lines", (t) => {
  const diff = {
    options: [
      {
        path: "sandbox.policies",
        old: { web: { capabilities: ["fs.write"], memoryPages: 256 }, db: { capabilities: [], memoryPages: 64 } },
        new: { web: { capabilities: ["fs.write"], memoryPages: 128 }, cache: { capabilities: [], memoryPages: 32 } },
        oldDefinedIn: ["a.yaml:3"],
        newDefinedIn: ["b.yaml:4"],
      },
    ],
    features: { on: [], off: [] },
    packages: [],
    closureSize: { old: 0, new: 0 },
    imageSize: { old: 0, new: 0 },
    imageFiles: [{ kind: "generation" as const, path: "generations/2/", change: "added" as const, oldSize: null, newSize: 0 }],
  };
  const text = renderDiff(diff, { a: "1", b: "2" }, false);
  // Before: one line with both whole maps as JSON.
  t.regex(text, /\n\[A\] sandbox\.policies\.cache  \{"capabilities":\[\],"memoryPages":32\}  \(b\.yaml:4\)\n/);
  t.regex(text, /\n\[R\] sandbox\.policies\.db  \{"capabilities":\[\],"memoryPages":64\}  \(b\.yaml:4\)\n/);
  t.regex(text, /\n\[U\] sandbox\.policies\.web\.memoryPages  256 → 128  \(b\.yaml:4\)\n/);
  t.notRegex(text, /capabilities":\["fs\.write"\]/, "unchanged keys are not repeated");
  t.regex(text, /\n\[A\] boot menu generations\/2\/\n/);
});
