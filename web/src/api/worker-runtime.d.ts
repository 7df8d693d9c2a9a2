// The Worker's runtime names, for the worker sources this program reads through `import type
// { AppType }` (web/src/api/app-types.ts): type-only, nothing of the worker reaches the bundle.
// They come from the module form of @cloudflare/workers-types, aliased one by one, because its
// global form would merge its Request, Response, Element and WebSocket into the DOM's and change
// the app's own types. Where the runtime's own classes would meet the DOM's (a stub's fetch, the
// scheduler's signal) the alias is narrowed to the DOM's. `tsc -p workers` checks the worker
// against the real globals; this only lets the app's program read the same sources. A worker
// file using a runtime name missing here fails `tsc -p web` with "Cannot find name": add it.
import type * as CF from '@cloudflare/workers-types';

declare global {
  type D1Database = CF.D1Database;
  type D1PreparedStatement = CF.D1PreparedStatement;
  type D1Result<T = unknown> = CF.D1Result<T>;
  type KVNamespace<K extends string = string> = CF.KVNamespace<K>;
  type Queue<B = unknown> = CF.Queue<B>;
  type MessageBatch<B = unknown> = CF.MessageBatch<B>;
  type Message<B = unknown> = CF.Message<B>;
  type MessageSendRequest<B = unknown> = CF.MessageSendRequest<B>;
  type RateLimit = CF.RateLimit;
  type Fetcher = CF.Fetcher;
  type ExecutionContext = CF.ExecutionContext;
  type ExportedHandler<E = unknown, Q = unknown> = Omit<CF.ExportedHandler<E, Q>, 'fetch'> & {
    fetch?: (request: Request, env: E, ctx: CF.ExecutionContext) => Response | Promise<Response>;
  };
  type ExportedHandlerQueueHandler<E = unknown, M = unknown> = CF.ExportedHandlerQueueHandler<E, M>;
  type ExportedHandlerScheduledHandler<E = unknown> = CF.ExportedHandlerScheduledHandler<E>;
  /** Its WebSockets are the DOM's this program knows (the runtime's own class would not match them). */
  type DurableObjectState = Omit<CF.DurableObjectState, 'getWebSockets' | 'acceptWebSocket'> & {
    getWebSockets(tag?: string): WebSocket[];
    acceptWebSocket(ws: WebSocket, tags?: string[]): void;
  };
  type DurableObjectStorage = CF.DurableObjectStorage;
  type SyncKvStorage = CF.SyncKvStorage;
  type WebSocketRequestResponsePair = CF.WebSocketRequestResponsePair;
  type DurableObjectStub<T extends CF.Rpc.DurableObjectBranded | undefined = undefined> = Omit<CF.DurableObjectStub<T>, 'fetch'> & {
    fetch(request: Request): Promise<Response>;
  };
  type DurableObjectNamespace<T extends CF.Rpc.DurableObjectBranded | undefined = undefined> = Omit<
    CF.DurableObjectNamespace<T>,
    'get' | 'getByName'
  > & {
    get(id: CF.DurableObjectId): DurableObjectStub<T>;
    getByName(name: string): DurableObjectStub<T>;
  };
  var WebSocketPair: { new (): { 0: WebSocket; 1: WebSocket } };
  var WebSocketRequestResponsePair: typeof CF.WebSocketRequestResponsePair;
  var scheduler: { wait(ms: number, options?: { signal?: AbortSignal }): Promise<void> };
  interface CacheStorage {
    readonly default: Cache;
  }
  interface ResponseInit {
    webSocket?: WebSocket | null;
  }
  interface WebSocket {
    serializeAttachment(value: unknown): void;
    deserializeAttachment(): unknown;
  }
}
