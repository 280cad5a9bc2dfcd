import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Integration tests: the built app (`next start`) and the simulator over loopback. Run after `next build`. */
export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      "server-only": fileURLToPath(new URL("./lib/testing/server-only-stub.ts", import.meta.url)),
    },
  },
  test: {
    include: ["tests/integration/**/*.test.ts"],
    environment: "node",
    // In-process upstream calls log nothing here; the app servers keep their own logs for the leak scan.
    env: { LOG_LEVEL: "silent" },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One app server per file; files in sequence keep the 2-core machine from thrashing.
    fileParallelism: false,
  },
});
