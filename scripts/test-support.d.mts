import type { Browser } from 'playwright-core';

export declare function launchChromium(): Promise<Browser>;
export declare function toggleFlag(
  worker: { url: string; keys: { admin: string } },
  flag: string,
  enabled: boolean,
  environment?: string,
): Promise<void>;
export declare function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
