// The JSON Schema of `.exopkg` manifests, for editors (the YAML language
// server completes and checks a manifest that names it). Generated from
// schemas/manifest.ts; a test keeps schemas/exopkg.schema.json current.
import { z } from "zod";
import { manifestSchema } from "../../schemas/manifest.ts";

export function manifestJsonSchema(): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(manifestSchema, { unrepresentable: "any", io: "input" }) as Record<string, unknown>;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "exo.package/v1",
    title: "Exo package manifest",
    description: "A package's .exopkg file: package, sources, dependencies, build, binary, sandbox, services. Generated from schemas/manifest.ts.",
    ...schema,
  };
}

// `tsx generator/packages/json-schema.ts` prints it (npm run docs).
if (process.argv[1] === import.meta.filename) process.stdout.write(`${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
