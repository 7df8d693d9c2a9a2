export interface LocalWorker {
  url: string;
  port: number;
  dir: string;
  keys: { admin: string; server: string; client: string };
  /** Brings a stopped Worker back on the same port and state (an edge restart as clients see it). */
  start(): Promise<void>;
  /** Stops the Worker and keeps its state. */
  stop(): Promise<void>;
  /** Stops the Worker and deletes its state (unless `persistTo` was given). */
  dispose(): Promise<void>;
  /** The last 20 KB wrangler printed. */
  output(): string;
}
export declare function prepareLocalState(persistTo: string): void;
export declare function startLocalWorker(options?: {
  port?: number;
  persistTo?: string;
  timeoutMs?: number;
  log?: boolean;
}): Promise<LocalWorker>;
