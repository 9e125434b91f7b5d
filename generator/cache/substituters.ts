// The substituters of exo.config.ts as realise()'s hook: before a
// derivation is built, each cache is asked for its key, in order. A cache
// that cannot be reached is skipped for the rest of the build (one
// warning); one that answers with something refused is named, and the next
// cache, or the build, takes over.
import type { Store } from "../../store/store.ts";
import type { Substitution } from "../../store/realise.ts";
import { ExoError } from "../errors.ts";
import { parseOciReference } from "../oci/reference.ts";
import { Registry } from "../oci/registry.ts";
import { registryOptions } from "../oci/options.ts";
import type { Project } from "../project/config.ts";
import { loadPublicKey } from "../sign/keys.ts";
import { CacheFetcher, CacheRefused, type CacheSource } from "./fetch.ts";

export interface SubstituteReport {
  /** A cache refused for one derivation (bad signature, wrong hash): it was built, or taken from the next cache. */
  refused(id: string, from: string, reason: string): void;
}

export interface Substituters {
  substitute(key: string, id: string): Promise<Substitution | undefined>;
  /** Close the connections opened. */
  close(): Promise<void>;
}

export async function openSubstituters(project: Project, store: Store, report: SubstituteReport): Promise<Substituters | undefined> {
  if (project.substituters.length === 0) return undefined;
  const fetcher = new CacheFetcher(store);
  const sources = await Promise.all(
    project.substituters.map(async (s) => {
      const ref = parseOciReference(s.url, "exo.config.ts substituters[].url");
      const trusted = await Promise.all(s.trusted.map(loadPublicKey));
      const source: { url: string; opened?: Promise<CacheSource | undefined> } = { url: s.url };
      // Connected on first use: a build that is all in the store never touches the network.
      const open = () =>
        (source.opened ??= Registry.open(ref, registryOptions(project, ref, {})).then(
          (registry) => ({ url: s.url, registry, trusted }),
          (e: unknown) => {
            report.refused("*", s.url, `not reachable, not asked again in this build: ${e instanceof Error ? e.message : String(e)}`);
            return undefined;
          },
        ));
      return Object.assign(source, { open });
    }),
  );
  const substitute = async (key: string, id: string): Promise<Substitution | undefined> => {
    for (const { url, open } of sources) {
      const cache = await open();
      if (!cache) continue;
      try {
        const fetched = await fetcher.realisation(cache, key);
        if (fetched) return { path: fetched.path, from: url, bytes: fetched.bytes };
      } catch (e) {
        if (!(e instanceof ExoError)) throw e;
        report.refused(id, url, e instanceof CacheRefused ? `${e.what} refused: ${e.reason}` : e.message);
      }
    }
    return undefined;
  };
  const close = async () => {
    for (const { opened } of sources) (await opened)?.registry.close();
  };
  return { substitute, close };
}
