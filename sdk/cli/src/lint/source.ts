/**
 * Where the lint-family commands get the service's view: live (URL and token) when a token is at
 * hand, else the manifest file; and how their failures map to the exit-code contract.
 */
import path from 'node:path';
import { AdminClient, ApiFailure } from '../admin-client.ts';
import { type CliContext, EXIT } from '../cli-context.ts';
import { type Config, ConfigError } from './config.ts';
import { fetchManifest, type Manifest, ManifestError, readManifest } from './manifest.ts';

export interface Connection {
  url?: string | undefined;
  token?: string | undefined;
}

/** URL and token: the command line, then the environment, then (URL only) the config file. */
export function connection(values: { url?: string | undefined; token?: string | undefined }, ctx: CliContext, config: Config): Connection {
  return {
    url: values.url ?? ctx.env.EDGEFLAGS_URL ?? config.url,
    token: values.token ?? ctx.env.EDGEFLAGS_TOKEN ?? ctx.env.EDGEFLAGS_ADMIN_TOKEN,
  };
}

export function adminClient(conn: Required<Connection>, ctx: CliContext): AdminClient {
  return new AdminClient({
    url: conn.url,
    token: conn.token,
    ...(ctx.fetch && { fetch: ctx.fetch }),
    ...(ctx.sleep && { sleep: ctx.sleep }),
  });
}

/** The manifest to judge against, and a label for where it came from. */
export async function loadManifest(
  options: { manifest?: string | undefined; conn: Connection; config: Config; configDir: string; cwd: string },
  ctx: CliContext,
): Promise<{ manifest: Manifest; source: string }> {
  const { conn, config } = options;
  if (options.manifest) return { manifest: readManifest(path.resolve(options.cwd, options.manifest)), source: options.manifest };
  if (conn.url && conn.token) {
    const manifest = await fetchManifest(adminClient({ url: conn.url, token: conn.token }, ctx));
    return { manifest, source: conn.url };
  }
  if (config.manifest) return { manifest: readManifest(path.resolve(options.configDir, config.manifest)), source: config.manifest };
  throw new ConfigError(
    'no service and no manifest: set --url and EDGEFLAGS_TOKEN, or --manifest FILE (or "manifest" in edgeflags.config.json)',
  );
}

/** Failures as exit codes: 2 usage or configuration (a bad token included), 3 unreachable, else 1. */
export function failure(command: string, e: unknown, ctx: CliContext): number {
  const message = e instanceof Error ? e.message : String(e);
  ctx.err(`edgeflags ${command}: ${message}\n`);
  if (e instanceof ConfigError || e instanceof ManifestError) return EXIT.usage;
  if (e instanceof ApiFailure) {
    if (e.status === 0 || e.status >= 500 || e.status === 429) return EXIT.unreachable;
    if (e.status === 401 || e.status === 403) return EXIT.usage;
  }
  return EXIT.failed;
}
