import { defineConfig, mergeConfig } from "vitest/config";
import unitConfig from "./vitest.config";

/** Integration tests: the built app (`next start`) and the simulator over loopback. Run after `next build`. */
export default mergeConfig(
  unitConfig,
  defineConfig({
    test: {
      include: ["tests/integration/**/*.test.ts"],
      exclude: ["node_modules/**"],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      // One app server per file; files in sequence keep the 2-core machine from thrashing.
      fileParallelism: false,
    },
  }),
);
