import { parseArgs } from "node:util";
import { FAULTS } from "./faults";
import { startSimulator } from "./server";

/* `npm run sim`: the simulator as a process; prints one `ready` line, stops on SIGINT/SIGTERM. */

const USAGE = `usage: npm run sim -- --port <n> [--fault <name>[*N][,<name>…]] [--speed <factor>] [--media-url <url>] [--no-channel <models>] [--host <ip>] [--quiet]

  --port   port to listen on (0 = any free port)          env SIM_PORT, default 0
  --fault  fault applied to every request (see README)    env SIM_FAULT
  --speed  time factor: 1 = ~20 s per job, 20 = ~1 s      env SIM_SPEED, default 1
  --media-url  every job's video link points at this URL  env SIM_MEDIA_URL
  --no-channel models (comma-separated) whose creates answer the no-channel 503   env SIM_NO_CHANNEL
  --host   interface to bind                              default 127.0.0.1
  --quiet  no request log on stderr

faults: ${Object.keys(FAULTS).join(", ")}`;

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string", short: "p" },
        fault: { type: "string", short: "f" },
        speed: { type: "string", short: "s" },
        "media-url": { type: "string" },
        "no-channel": { type: "string" },
        host: { type: "string" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const text = (key: string, env: string) => {
    const value = values[key];
    return typeof value === "string" ? value : process.env[env] || undefined;
  };
  const portText = text("port", "SIM_PORT") ?? "0";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) usageError(`invalid --port: ${portText}`);
  const speedText = text("speed", "SIM_SPEED") ?? "1";
  const speed = Number(speedText);
  if (!(speed > 0) || !Number.isFinite(speed)) usageError(`invalid --speed: ${speedText}`);
  const fault = text("fault", "SIM_FAULT") || undefined;
  const host = typeof values.host === "string" ? values.host : undefined;
  const mediaUrl = text("media-url", "SIM_MEDIA_URL");
  const noChannelModels = (text("no-channel", "SIM_NO_CHANNEL") ?? "")
    .split(",")
    .map((m) => m.trim())
    .filter(Boolean);

  let sim;
  try {
    sim = await startSimulator({
      port,
      speed,
      fault,
      host,
      mediaUrl,
      noChannelModels,
      quiet: values.quiet === true,
    });
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith("unknown fault") || message.startsWith("invalid media URL")) {
      usageError(message);
    }
    process.stderr.write(`simulator failed to start: ${message}\n`);
    process.exit(1);
  }
  process.stdout.write(`ready ${sim.url}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void sim.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

void main();
