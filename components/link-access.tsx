"use client";

import { createContext, useContext, type ReactNode } from "react";

/** Whether this studio asks for a password (ACCESS_PASSWORD): links to it open only after login. */
const LinkAccessContext = createContext(false);

export function LinkAccessProvider({
  loginRequired,
  children,
}: {
  loginRequired: boolean;
  children: ReactNode;
}) {
  return <LinkAccessContext.Provider value={loginRequired}>{children}</LinkAccessContext.Provider>;
}

export function useLinksNeedLogin(): boolean {
  return useContext(LinkAccessContext);
}
