import fs from "node:fs";
import { findKeyLeaks } from "../tests/helpers/client";
import { readTree } from "./key-leak";
import { E2E_FAKE_KEY, E2E_SERVER_LOG } from "./constants";

/**
 * After the whole browser suite: the key the e2e server ran with must not appear (whole or as any
 * 8-character piece) in the build output or in the server's log.
 */
export default function globalTeardown() {
  const distDir = process.env.NEXT_DIST_DIR ?? ".next";
  const log = fs.existsSync(E2E_SERVER_LOG) ? fs.readFileSync(E2E_SERVER_LOG, "utf8") : "";
  if (!log.includes("[Server]")) {
    throw new Error(`key-leak scan: no server log at ${E2E_SERVER_LOG}, nothing was scanned`);
  }
  const sources = [{ name: E2E_SERVER_LOG, text: log }, ...readTree(distDir)];
  const leaks = sources.filter(({ text }) => findKeyLeaks(E2E_FAKE_KEY, [text]).length > 0);
  if (leaks.length > 0) {
    throw new Error(`the API key leaked into: ${leaks.map((s) => s.name).join(", ")}`);
  }
  console.log(`key-leak scan: server log and ${distDir}/ are clean`);
}
