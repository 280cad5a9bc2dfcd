export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/server/boot");
  await startServer();
  // Unfinished jobs resume (videos) or are marked interrupted (chat) before the first request.
  const { recoverJobs } = await import("./lib/server/jobs/runner");
  await recoverJobs();
}
