/**
 * The surfaces every key-leak scan reads from a running app besides what the tests themselves
 * fetched: health (plain and probing), the diagnostics report as JSON and as SSE, the model list and
 * the recent upstream incidents.
 * Shared by the integration stacks (tests/helpers/stack.ts) and the e2e teardown.
 */

export interface LeakSurface {
  name: string;
  status: number;
  text: string;
}

const SURFACES: { path: string; headers?: Record<string, string> }[] = [
  { path: "/api/health" },
  { path: "/api/health?probe=1" },
  { path: "/api/diagnostics" },
  { path: "/api/diagnostics", headers: { accept: "text/event-stream" } },
  { path: "/api/models" },
  { path: "/api/incidents" },
];

/**
 * Signs in first when the app has an ACCESS_PASSWORD, so the scan reads real reports. Null when
 * the sign-in is refused (a suite that tested the login limit used it up): then only what is
 * public is scanned.
 */
async function sessionHeaders(
  appUrl: string,
  password?: string,
): Promise<Record<string, string> | null> {
  if (!password) return {};
  const response = await fetch(`${appUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ password }),
  });
  await response.body?.cancel();
  const cookies = response.headers.getSetCookie().map((c) => c.split(";")[0]);
  if (response.status === 429) return null;
  if (!response.ok || cookies.length === 0) {
    throw new Error(`key-leak scan: login failed (${response.status})`);
  }
  return { cookie: cookies.join("; ") };
}

export async function readLeakSurfaces(
  appUrl: string,
  options: { password?: string } = {},
): Promise<LeakSurface[]> {
  const session = await sessionHeaders(appUrl, options.password);
  const headers = session ?? {};
  const surfaces = await Promise.all(
    SURFACES.map(async ({ path, headers: extra }) => {
      const response = await fetch(`${appUrl}${path}`, { headers: { ...headers, ...extra } });
      const text = await response.text();
      const name = `${path}${extra?.accept ? " (SSE)" : ""}`;
      return {
        name,
        status: response.status,
        text: `${JSON.stringify([...response.headers])}\n${text}`,
      };
    }),
  );
  // A scan of refusals proves nothing: the reports themselves must have been read.
  for (const surface of surfaces) {
    if (session && surface.name.startsWith("/api/diagnostics") && surface.status !== 200) {
      throw new Error(`key-leak scan: ${surface.name} answered ${surface.status}`);
    }
  }
  return surfaces;
}
