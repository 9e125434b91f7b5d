// exo keygen: create an ML-DSA-65 signing key pair (secret key mode 0600).
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { displayPath } from "../../eval/paths.ts";
import { loadProject } from "../../project/config.ts";
import { generateKeyPair } from "../../sign/keys.ts";
import { ALGORITHM_NAMES, type AlgorithmName, DEFAULT_ALGORITHM } from "../../sign/algorithms.ts";
import { ExoError } from "../../errors.ts";
import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "keygen",
  summary: "Create a key pair for signing images (ML-DSA-65 unless --algorithm says otherwise). Never overwrites an existing key.",
  flags: {
    algorithm: { type: "string", value: "NAME", description: `${ALGORITHM_NAMES.join(", ")} (default: ${DEFAULT_ALGORITHM})` },
    secret: { type: "string", value: "FILE", description: "where to write the secret key (default: exo.config.ts keys.secretKey)" },
    public: { type: "string", value: "FILE", description: "where to write the public key (default: the first of keys.trusted)" },
  },
  async run({ values }) {
    const project = await loadProject();
    const secret = values.secret ? resolve(values.secret) : project.secretKey;
    const pub = values.public ? resolve(values.public) : (project.trusted[0] ?? `${secret.replace(/\.key$/, "")}.pub`);
    await mkdir(dirname(secret), { recursive: true, mode: 0o700 });
    await mkdir(dirname(pub), { recursive: true });
    const algorithm = (values.algorithm ?? DEFAULT_ALGORITHM) as AlgorithmName;
    if (!ALGORITHM_NAMES.includes(algorithm)) {
      throw new ExoError("ERR_EXO_USAGE", `option --algorithm expects one of ${ALGORITHM_NAMES.join(", ")}, got '${values.algorithm}'`);
    }
    const keyId = await generateKeyPair(secret, pub, algorithm);
    process.stdout.write(`created ${algorithm} key ${keyId}\n  secret: ${displayPath(secret)} (mode 600)\n  public: ${displayPath(pub)}\n`);
    return 0;
  },
});
