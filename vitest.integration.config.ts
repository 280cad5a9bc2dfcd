import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * Integration tests: the built app (`next start`) and the simulator over loopback. Run after
 * `next build`. A matrix over the job store: every file runs on SQLite + DATA_DIR (project
 * `sqlite`) and again on Redis + S3 (project `shared`: tests/helpers/stack.ts starts a
 * redis-server and an S3 bucket per file). One store only: `--project sqlite` or `--project shared`.
 */
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
    projects: [
      { extends: true, test: { name: "sqlite", exclude: SHARED_ONLY } },
      {
        extends: true,
        test: {
          name: "shared",
          exclude: SHARED_OPT_OUT,
          env: { SORA_TEST_STORE: "shared" },
        },
      },
    ],
  },
});
