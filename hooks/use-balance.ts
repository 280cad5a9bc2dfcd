"use client";

import useSWR, { mutate } from "swr";
import { balanceSchema } from "@/lib/contracts/cost";
import { getResource } from "@/lib/client/api";

export const BALANCE_KEY = "/api/balance";
/** The server caches the relay's answer for a minute; a finished job refreshes it at once. */
const REFRESH_MS = 5 * 60_000;

/** The relay's balance (`GET /api/balance`); `{available: false}` when the relay has no billing. */
export function useBalance() {
  return useSWR(BALANCE_KEY, (path: string) => getResource(path, balanceSchema), {
    refreshInterval: REFRESH_MS,
    revalidateOnFocus: true,
    keepPreviousData: true,
  });
}

/** A job finished: it may have been billed, so the header asks again. */
export function refreshBalance(): void {
  void mutate(BALANCE_KEY);
}
