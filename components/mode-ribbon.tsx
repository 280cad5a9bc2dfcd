import { getTranslations } from "next-intl/server";

/** The loud banner of demo mode (simulator) or of a server without a key. */
export async function ModeRibbon({ mode }: { mode: "demo" | "no-key" | "live" }) {
  if (mode === "live") return null;
  const t = await getTranslations(mode === "demo" ? "demo" : "noKey");
  return (
    <div
      role="status"
      data-testid="mode-ribbon"
      className={`border-b px-4 py-2 text-center text-sm ${
        mode === "demo"
          ? "border-amber-300 bg-amber-100 text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
          : "border-red-300 bg-red-100 text-red-950 dark:border-red-900 dark:bg-red-950 dark:text-red-100"
      }`}
    >
      <strong className="font-semibold">{t("ribbon")}</strong>
      <span className="ml-2 hidden sm:inline">{t("detail")}</span>
    </div>
  );
}
