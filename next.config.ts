import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin({
  requestConfig: "./lib/i18n/request.ts",
  experimental: {
    // The message files are compiled at build time, so browsers load a tiny formatter instead of
    // the ICU parser (about 10 KB gzip on every page). Outside Next (CLI, tests) they load as JSON.
    messages: { path: "./lib/i18n/messages", format: "json", locales: "infer", precompile: true },
  },
});

const nextConfig: NextConfig = {
  // Lets parallel builds (tests, benchmarks) use their own output folder.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  // undici: loaded as published (its pinned-lookup Agent and fetch, lib/server/upstream/destination.ts).
  serverExternalPackages: ["better-sqlite3", "undici"],
  devIndicators: false,
  // Vercel demo mode serves the simulator's sample video from the app (lib/server/demo-upstream.ts).
  outputFileTracingIncludes: { "/api/demo-upstream/**": ["./simulator/assets/sample.mp4"] },
  experimental: {
    // proxy.ts sees page requests only; Next copies their bodies for it (default up to 10 MB each).
    // Pages take only server actions' small bodies.
    proxyClientMaxBodySize: "1mb",
  },
  // Every response, API included; the CSP with its per-request nonce is set by proxy.ts on pages.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default withNextIntl(nextConfig);
