"use client";

import useSWR, { mutate } from "swr";
import type { Balance } from "@/lib/contracts/cost";

export const BALANCE_KEY = "/api/balance";
/** The server caches the relay's answer for a minute; a finished job refreshes it at once. */
const REFRESH_MS = 5 * 60_000;

async function fetchBalance(path: string): Promise<Balance> {
  // The API client loads with the first answer, not with every page's header.
  const { getResource } = await import("@/lib/client/api");
  return getResource(path, (s) => s.balanceSchema);
}

/** The relay's balance (`GET /api/balance`); `{available: false}` when the relay has no billing. */
export function useBalance() {
  return useSWR(BALANCE_KEY, fetchBalance, {
    refreshInterval: REFRESH_MS,
    revalidateOnFocus: true,
    keepPreviousData: true,
  });
}

/** A job finished: it may have been billed, so the header asks again. */
export function refreshBalance(): void {
  void mutate(BALANCE_KEY);
}
