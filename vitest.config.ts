import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // lib/server modules guard against client imports; unit tests run them on plain Node.
      "server-only": fileURLToPath(new URL("./lib/testing/server-only-stub.ts", import.meta.url)),
    },
  },
  test: {
    include: ["**/*.test.ts", "**/*.test.tsx"],
    exclude: [
      "node_modules/**",
      "e2e/**",
      "tests/integration/**",
      "tests/soak/**",
      ".next*/**",
      "data/**",
    ],
    environment: "node",
    // Units exercise failure paths on purpose; their [Server]/[Sora2] lines would only be noise.
    env: { LOG_LEVEL: "silent" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
