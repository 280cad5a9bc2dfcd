export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/server/boot");
  await startServer();
  // The reconciler takes over unfinished jobs nobody holds (boot), then looks again on a timer.
  const { startReconciler } = await import("./lib/server/jobs/runner");
  await startReconciler();
}
