import { LockKeyhole } from "lucide-react";
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { safeNextPath } from "@/lib/server/auth";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth");
  return { title: t("title") };
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; error?: string }>;
}) {
  const t = await getTranslations("auth");
  const { next, error } = await searchParams;
  return (
    <div className="mx-auto mt-12 max-w-sm rounded-xl border border-line bg-surface p-6 shadow-sm">
      <div className="mb-4 flex items-center gap-2">
        <LockKeyhole className="size-5 text-violet-600 dark:text-violet-400" aria-hidden />
        <h1 className="text-lg font-semibold">{t("title")}</h1>
      </div>
      <p className="mb-4 text-sm text-muted">{t("explain")}</p>
      <form method="post" action="/api/auth/login" className="space-y-3">
        <input type="hidden" name="next" value={safeNextPath(next)} />
        <label className="block text-sm font-medium" htmlFor="password">
          {t("password")}
        </label>
        <input
          id="password"
          name="password"
          type="password"
          required
          autoFocus
          autoComplete="current-password"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "login-error" : undefined}
          className="w-full rounded-md border border-line-strong bg-field px-3 py-2 text-sm"
        />
        {error ? (
          <p id="login-error" role="alert" className="text-sm text-red-600 dark:text-red-400">
            {t("wrong")}
          </p>
        ) : null}
        <button
          type="submit"
          className="w-full rounded-md bg-zinc-900 px-3 py-2 text-sm font-medium text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
        >
          {t("submit")}
        </button>
      </form>
    </div>
  );
}
