import { Clapperboard, LogOut } from "lucide-react";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { accessGateEnabled } from "@/lib/server/access";
import { BalanceBadge } from "./balance-badge";
import { LanguageSwitch } from "./language-switch";
import { SiteNav } from "./site-nav";
import { ThemeSwitch } from "./theme-switch";

export async function SiteHeader() {
  const t = await getTranslations("app");
  const tAuth = await getTranslations("auth");
  return (
    <header className="sticky top-0 z-30 border-b border-line bg-white/80 backdrop-blur dark:bg-zinc-950/80">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
          <Clapperboard className="size-5 text-violet-600 dark:text-violet-400" aria-hidden />
          <span>{t("name")}</span>
        </Link>
        <SiteNav />
        <div className="ml-auto flex items-center gap-2">
          <BalanceBadge />
          <LanguageSwitch />
          <ThemeSwitch />
          {accessGateEnabled() ? (
            <form method="post" action="/api/auth/logout">
              <button
                type="submit"
                aria-label={tAuth("logout")}
                title={tAuth("logout")}
                className="rounded-md p-1.5 text-muted hover:text-zinc-900 dark:hover:text-zinc-100"
              >
                <LogOut className="size-4" aria-hidden />
              </button>
            </form>
          ) : null}
        </div>
      </div>
    </header>
  );
}
