// For each first-load chunk of a page: gzip size and which source files its bytes come from.
import { gzipSync } from "node:zlib";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
const require = createRequire(process.cwd() + "/noop.js");
const { SourceMapConsumer } = require("source-map-js");
const [base, route, dist] = process.argv.slice(2);
const html = await (await fetch(base + route)).text();
const srcs = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+\.js)"[^>]*>/g)].filter(t => !/nomodule/i.test(t[0])).map(t => t[1]);
let total = 0;
const perSource = new Map();
for (const s of srcs) {
  const rel = decodeURIComponent(new URL(s, base).pathname).replace(/^\/_next\//, "");
  const file = path.join(dist, rel);
  const code = fs.readFileSync(file, "utf8");
  const gz = gzipSync(code.replace(/\/\/# sourceMappingURL=.*$/m, ""), { level: 9 }).length / 1024; total += gz;
  let top = "";
  const mapName = code.match(/\/\/# sourceMappingURL=(\S+)/)?.[1];
  const mapFile = mapName && path.join(path.dirname(file), mapName);
  if (mapFile && fs.existsSync(mapFile)) {
    const map = new SourceMapConsumer(JSON.parse(fs.readFileSync(mapFile, "utf8")));
    const lines = code.split("\n");
    const counts = new Map();
    let prev = null;
    map.eachMapping((m) => {
      if (prev) {
        const len = prev.generatedLine === m.generatedLine ? m.generatedColumn - prev.generatedColumn : (lines[prev.generatedLine - 1]?.length ?? 0) - prev.generatedColumn;
        const key = (prev.source ?? "?").replace(/.*node_modules\//, "nm:").replace(/^.*\/bundle2\//, "");
        counts.set(key, (counts.get(key) ?? 0) + Math.max(0, len));
      }
      prev = m;
    });
    const all = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const sum = all.reduce((a, [, v]) => a + v, 0);
    for (const [k, v] of all) perSource.set(k, (perSource.get(k) ?? 0) + v / sum * gz);
    top = all.slice(0, 8).map(([k, v]) => `${k} ${(v / sum * gz).toFixed(1)}`).join(" | ");
  }
  console.log(gz.toFixed(1).padStart(6), rel.split("/").pop(), "::", top);
}
console.log("total", total.toFixed(1));
if (process.env.ALL) for (const [k, v] of [...perSource.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.ALL))) console.log(v.toFixed(2).padStart(6), k);
