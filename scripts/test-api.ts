/**
 * `npm run test:api`: diagnoses the configured key, base URL, network, relay and models
 * (DESIGN §6). The engine lives in lib/server/diagnostics; this file only wires up the process.
 */
import { runCli } from "@/lib/server/diagnostics/cli";

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
    // Keep-alive sockets of fetch must not hold the process open once the report is written.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
