"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTranslations } from "next-intl";

const LINKS = [
  { href: "/", key: "generate" },
  { href: "/diagnostics", key: "diagnostics" },
] as const;

export function SiteNav() {
  const t = useTranslations("nav");
  const pathname = usePathname();
  return (
    <nav aria-label={t("label")} className="flex items-center gap-1">
      {LINKS.map(({ href, key }) => {
        const active = href === "/" ? pathname === "/" : pathname.startsWith(href);
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? "page" : undefined}
            className={`rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors ${
              active
                ? "bg-zinc-200/70 text-fg dark:bg-zinc-800"
                : "text-muted hover:text-zinc-900 dark:hover:text-zinc-100"
            }`}
          >
            {t(key)}
          </Link>
        );
      })}
    </nav>
  );
}
