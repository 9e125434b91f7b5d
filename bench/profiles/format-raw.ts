// The server profile with only the `raw` format: for the per-format benchmark.
import { defineProfile, mkForce } from "exo";
import server from "../../profiles/server.ts";

export default defineProfile({ imports: [server], config: { image: { formats: mkForce(["raw"]) } } });
