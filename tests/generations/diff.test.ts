// Package changes between two records: added, removed, and changed in version.
import test from "ava";
import { diffPackages } from "../../generator/generations/diff.ts";

test("packages are added, removed or changed in version", (t) => {
  t.deepEqual(diffPackages({ init: "0.1.0", hello: "0.1.0", "ring-bench": "0.1.0" }, { init: "0.2.0", hello: "0.1.0", "echo-server": "0.1.0" }), [
    { name: "echo-server", change: "added", oldVersion: null, newVersion: "0.1.0" },
    { name: "init", change: "changed", oldVersion: "0.1.0", newVersion: "0.2.0" },
    { name: "ring-bench", change: "removed", oldVersion: "0.1.0", newVersion: null },
  ]);
});
