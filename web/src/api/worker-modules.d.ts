// The Worker's `cloudflare:workers` module for the worker sources this program reads through
// `import type { AppType }` (see worker-runtime.d.ts). A script, not a module, so this declares
// the module itself. Its WebSockets and Response are the DOM's this program knows (the
// runtime's own classes would not match them); `tsc -p workers` checks the real ones.
declare module 'cloudflare:workers' {
  import type * as CF from '@cloudflare/workers-types';
  export abstract class DurableObject<Env = unknown> implements CF.Rpc.DurableObjectBranded {
    [CF.Rpc.__DURABLE_OBJECT_BRAND]: never;
    protected ctx: DurableObjectState;
    protected env: Env;
    constructor(ctx: DurableObjectState, env: Env);
    alarm?(): void | Promise<void>;
    fetch?(request: Request): Response | Promise<Response>;
    webSocketMessage?(ws: WebSocket, message: string | ArrayBuffer): void | Promise<void>;
    webSocketClose?(ws: WebSocket, code: number, reason: string, wasClean: boolean): void | Promise<void>;
    webSocketError?(ws: WebSocket, error: unknown): void | Promise<void>;
  }
}
