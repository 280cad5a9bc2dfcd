// `npm run bench`: builds when the sources changed, then runs bench/run.ts against the production build.
import { writeFileSync } from "node:fs";
import path from "node:path";
import {
  buildIsCurrent,
  buildStampPath,
  ensureDependencies,
  nextBin,
  root,
  run,
  sourceHash,
} from "./lib.mjs";

ensureDependencies();
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
if (!buildIsCurrent()) {
  const code = await run(process.execPath, [nextBin(), "build"], { env });
  if (code !== 0) process.exit(code);
  writeFileSync(buildStampPath(), sourceHash());
}
process.exit(
  await run(
    process.execPath,
    ["--import", "tsx", path.join(root, "bench", "run.ts"), ...process.argv.slice(2)],
    {
      env,
    },
  ),
);
