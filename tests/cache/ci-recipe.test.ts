// docs/ci.md's pipelines, run: the GitHub Actions and GitLab CI files are
// read from the page itself and every `run:` / `script:` line of every job
// runs, in order, against Debian's docker-registry with a password. Each
// job gets a checkout of its own (the page's exo.config.ts, the release
// key, an empty store). Only the set-up lines are skipped: npm test ran them.
import test from "ava";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO, tempProject } from "../helpers/exo.ts";
import { startRegistry, TEST_PASSWORD, TEST_USER } from "../helpers/registry.ts";

interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly id?: string;
  readonly env?: Record<string, string>;
}
interface GithubJob {
  readonly env?: Record<string, string>;
  readonly steps: Step[];
}
interface GithubWorkflow {
  readonly env: Record<string, string>;
  readonly jobs: Record<string, GithubJob>;
}
interface GitlabFile {
  readonly variables: Record<string, string>;
  readonly default: { readonly before_script: string[] };
  readonly [job: string]: unknown;
}

const SETUP = /^apt-get .*bash scripts\/setup\.sh$/;

/** The page's fenced blocks of one language, in order. */
async function blocks(lang: string): Promise<string[]> {
  const page = await readFile(join(REPO, "docs/ci.md"), "utf8");
  return [...page.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
}

/** A checkout of a project that depends on exo: the page's exo.config.ts, the release public key, profiles. */
async function checkout(config: string, releasePub: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-ci-"));
  await writeFile(join(dir, "package.json"), `{ "type": "module", "private": true }\n`);
  await mkdir(join(dir, "node_modules/.bin"), { recursive: true });
  await symlink(REPO, join(dir, "node_modules/exo"));
  await symlink(join(REPO, "bin/exo.js"), join(dir, "node_modules/.bin/exo"));
  await symlink(join(REPO, "profiles"), join(dir, "profiles"));
  await writeFile(join(dir, "exo.config.ts"), config);
  await mkdir(join(dir, "keys"));
  await writeFile(join(dir, "keys/release.pub"), releasePub);
  return dir;
}

function sh(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile("sh", ["-e", "-c", script], { cwd, env: { PATH: process.env.PATH!, ...env }, timeout: 170_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : 99) : 0, stdout, stderr });
    });
  });
}

test("docs/ci.md: the GitHub Actions and GitLab CI pipelines build, share the cache, publish and promote", async (t) => {
  const [github, gitlab] = (await blocks("yaml")).map((text) => parse(text) as unknown) as [GithubWorkflow, GitlabFile];
  const config = (await blocks("ts"))[0]!;
  t.truthy(github.jobs.build && github.jobs.promote && gitlab.variables && gitlab.default);

  const registry = await startRegistry({ htpasswd: true });
  t.teardown(() => registry.stop());
  const keys = await tempProject();
  const secretKey = await readFile(join(keys, "keys/test.key"), "utf8");
  const releasePub = await readFile(join(keys, "keys/test.pub"), "utf8");
  const home = await mkdtemp(join(tmpdir(), "exo-ci-home-"));
  // What the CI platforms would provide; the registry and profile point at this machine's.
  const project = "acme/server";
  const common = { HOME: home, EXO_PROFILE: "profiles/minimal.ts", EXO_CACHE: `oci://${registry.host}/${project}/exo-cache`, EXO_IMAGE: `oci://${registry.host}/${project}/server` };

  // ---- GitHub Actions: the build job, then promote with the digest it output.
  const outputs: Record<string, string> = {};
  const expression = (text: string): string =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
      const known: Record<string, string> = {
        "secrets.EXO_SIGNING_KEY": secretKey,
        "secrets.GITHUB_TOKEN": TEST_PASSWORD,
        "github.actor": TEST_USER,
        "steps.publish.outputs.digest": outputs.digest ?? "",
        "needs.build.outputs.digest": outputs.digest ?? "",
      };
      if (!(expr in known)) throw new Error(`docs/ci.md uses \${{ ${expr} }}, which this test does not provide`);
      return known[expr]!;
    });
  const runGithubJob = async (name: string) => {
    const job = github.jobs[name]!;
    const dir = await checkout(config, releasePub);
    const githubOutput = join(dir, ".github-output");
    for (const step of job.steps) {
      if (step.uses || SETUP.test(step.run!.trim())) continue;
      const env = { ...github.env, ...job.env, ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expression(String(v))])), ...common, GITHUB_SHA: "0123abcd", GITHUB_OUTPUT: githubOutput };
      const r = await sh(expression(step.run!), dir, env);
      t.is(r.code, 0, `GitHub ${name} › ${step.name ?? step.run}: ${r.stderr}`);
      if (r.code !== 0) return dir;
      if (step.id) {
        for (const line of (await readFile(githubOutput, "utf8").catch(() => "")).split("\n")) {
          const m = /^(\w+)=(.*)$/.exec(line);
          if (m) outputs[m[1]!] = m[2]!;
        }
      }
    }
    return dir;
  };

  const ghBuild = await runGithubJob("build");
  t.regex(outputs.digest ?? "", /^sha256:[0-9a-f]{64}$/);
  const built = (await readFile(join(ghBuild, "build.jsonl"), "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l) as { type: string });
  t.true(built.filter((e) => e.type === "built").length > 0, "the first runner builds");
  await runGithubJob("promote");

  // ---- GitLab CI: the build job in a second checkout substitutes everything the first pushed.
  const gitlabEnv: Record<string, string> = { ...common, CI_REGISTRY: registry.host, CI_PROJECT_PATH: project, CI_REGISTRY_USER: TEST_USER, CI_REGISTRY_PASSWORD: TEST_PASSWORD, CI_COMMIT_SHA: "4567cdef" };
  await writeFile(join(home, "signing.key"), secretKey, { mode: 0o600 });
  gitlabEnv.EXO_SIGNING_KEY = join(home, "signing.key"); // a file variable: the path of a file holding it
  for (const [name, value] of Object.entries(gitlab.variables)) {
    if (!(name in common)) gitlabEnv[name] = value.replace(/\$(\w+)/g, (_, v: string) => gitlabEnv[v] ?? "");
  }
  const runGitlabJob = async (name: string, dotenv: Record<string, string>) => {
    const job = gitlab[name] as { script: string[] };
    const dir = await checkout(config, releasePub);
    const lines = [...gitlab.default.before_script.filter((l) => !SETUP.test(l.trim())), ...job.script];
    const r = await sh(lines.join("\n"), dir, { ...gitlabEnv, ...dotenv });
    t.is(r.code, 0, `GitLab ${name}: ${r.stderr}`);
    return dir;
  };
  const glBuild = await runGitlabJob("build", {});
  const events = (await readFile(join(glBuild, "build.jsonl"), "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l) as { type: string; built?: number; substituted?: number });
  const result = events.find((e) => e.type === "result")!;
  t.is(result.built, 0, "the second runner builds nothing");
  t.true(result.substituted! > 0);
  const promoteEnv = Object.fromEntries((await readFile(join(glBuild, "promote.env"), "utf8")).trim().split("\n").map((l) => l.split("=", 2) as [string, string]));
  t.is(promoteEnv.DIGEST, outputs.digest, "the same image, pushed from another runner, has the same digest");
  await runGitlabJob("promote", promoteEnv);

  // What was released is what was built and tested.
  const head = await fetch(`http://${registry.host}/v2/${project}/server/manifests/stable`, {
    method: "HEAD",
    headers: { authorization: `Basic ${Buffer.from(`${TEST_USER}:${TEST_PASSWORD}`).toString("base64")}`, accept: "application/vnd.oci.image.manifest.v1+json" },
  });
  t.is(head.headers.get("docker-content-digest"), outputs.digest ?? "(none)");
});
