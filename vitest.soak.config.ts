import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The soak test: the built app, two processes on one DATA_DIR, random kills. `npm test -- soak`. */
export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      "server-only": fileURLToPath(new URL("./lib/testing/server-only-stub.ts", import.meta.url)),
    },
  },
  test: {
    include: ["tests/soak/**/*.test.ts"],
    environment: "node",
    env: { LOG_LEVEL: "silent" },
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
