import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/*
 * One config, four projects; pick one with `--project` (`npm test` runs each as its own step):
 *   unit    modules beside their tests, on plain Node (`npx vitest run --project unit`)
 *   sqlite  integration: the built app (`next start`) and the simulator over loopback, on SQLite +
 *           DATA_DIR. Run after `next build`.
 *   shared  the same integration files again on Redis + S3 (tests/helpers/stack.ts starts a
 *           redis-server and an S3 bucket per file): a matrix over the job store.
 *   soak    the built app, two processes on one DATA_DIR, random kills (`npm test -- soak`).
 */

const INTEGRATION = ["tests/integration/**/*.test.ts"];

const SHARED_OPT_OUT = [
  // The upstream layer in-process against the simulator: no app, no store.
  "tests/integration/upstream.test.ts",
  // The diagnostics CLI against relays: no app, no store.
  "tests/integration/diagnostics-cli.test.ts",
  // `npm start` without a key (launcher + simulator process); the Vercel demo runs in shared-mode tests.
  "tests/integration/demo-mode.test.ts",
  // Bind address and launcher refusals at boot: no job is created.
  "tests/integration/exposure.test.ts",
  // Two processes on one SQLite file; shared-mode.test.ts is its Redis + S3 twin.
  "tests/integration/two-processes.test.ts",
];
/** Files that start their own redis-server and bucket: they are the shared column already. */
const SHARED_ONLY = [
  "tests/integration/shared-mode.test.ts",
  "tests/integration/vercel-demo.test.ts",
];

/** One app server per file; files in sequence keep the 2-core machine from thrashing. */
const integration = {
  include: INTEGRATION,
  testTimeout: 60_000,
  hookTimeout: 120_000,
  fileParallelism: false,
};

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // lib/server modules guard against client imports; tests run them on plain Node.
      "server-only": fileURLToPath(new URL("./lib/testing/server-only-stub.ts", import.meta.url)),
    },
  },
  test: {
    environment: "node",
    // Units exercise failure paths on purpose and in-process upstream calls would only add noise;
    // the app servers of the integration tests keep their own logs for the leak scan.
    env: { LOG_LEVEL: "silent" },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["**/*.test.ts", "**/*.test.tsx"],
          exclude: [
            "node_modules/**",
            "e2e/**",
            "tests/integration/**",
            "tests/soak/**",
            ".next*/**",
            "data/**",
          ],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      { extends: true, test: { name: "sqlite", ...integration, exclude: SHARED_ONLY } },
      {
        extends: true,
        test: {
          name: "shared",
          ...integration,
          exclude: SHARED_OPT_OUT,
          env: { SORA_TEST_STORE: "shared" },
        },
      },
      {
        extends: true,
        test: {
          name: "soak",
          include: ["tests/soak/**/*.test.ts"],
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
