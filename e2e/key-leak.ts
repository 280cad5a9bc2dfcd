import fs from "node:fs";
import path from "node:path";

/** Text files under a folder (build output), skipping large binaries. */
export function readTree(dir: string): { name: string; text: string }[] {
  if (!fs.existsSync(dir)) return [];
  const out: { name: string; text: string }[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      // Turbopack links node_modules packages into the build folder: not our output.
      if (entry.isSymbolicLink()) continue;
      const full = path.join(current, entry.name);
      const stat = fs.statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (stat.size < 20 * 1024 * 1024) {
        out.push({ name: full, text: fs.readFileSync(full).toString("latin1") });
      }
    }
  };
  walk(dir);
  return out;
}
