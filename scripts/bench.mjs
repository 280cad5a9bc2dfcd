// `npm run bench`: builds when the sources changed, then runs bench/run.ts against the production build.
import path from "node:path";
import { buildIfNeeded, ensureDependencies, root, run } from "./lib.mjs";

ensureDependencies();
await buildIfNeeded("bench");
const args = ["--import", "tsx", path.join(root, "bench", "run.ts"), ...process.argv.slice(2)];
process.exit(
  await run(process.execPath, args, { env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } }),
);
