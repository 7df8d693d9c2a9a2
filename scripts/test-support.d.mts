import type { Browser } from 'playwright-core';

export declare function launchChromium(): Promise<Browser>;
export declare function toggleFlag(
  worker: { url: string; keys: { admin: string } },
  flag: string,
  enabled: boolean,
  environment?: string,
): Promise<void>;
export declare function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;

export type Fault = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
/** A real HTTP server that misbehaves on purpose: `${url}/503`, `/garbage`, `/not-a-snapshot`, `/slow`, `/drop`, or `extra` faults. */
export declare function startFaultServer(extra?: Record<string, Fault>): Promise<{ url: string; close(): Promise<void> }>;
/** A URL nothing listens on (connection refused). */
export declare function refusedUrl(): Promise<string>;
