/**
 * `edgeflags.config.json`: the one file `lint`, `refs push`, `manifest export` and `cleanup` read.
 *
 *   {
 *     "include": ["src/**\/*.{ts,tsx,js,jsx}"],
 *     "exclude": ["**\/*.test.ts"],
 *     "url": "https://flags.example.com",
 *     "environment": "production",
 *     "manifest": "edgeflags.manifest.json",
 *     "repository": "acme/web"
 *   }
 *
 * Every field is optional; flags given on the command line win. The token never lives here: it
 * comes from EDGEFLAGS_TOKEN (a secret of the pipeline).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const CONFIG_FILE = 'edgeflags.config.json';

export interface Config {
  include: string[];
  exclude: string[];
  url?: string | undefined;
  environment?: string | undefined;
  manifest?: string | undefined;
  repository?: string | undefined;
}

export const DEFAULT_INCLUDE = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'];
/** Never scanned, whatever the config says: dependencies, build output, generated declarations. */
export const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/.git/**', '**/dist/**', '**/build/**', '**/.next/**', '**/*.d.ts'];

const KNOWN = new Set(['$schema', 'include', 'exclude', 'url', 'environment', 'manifest', 'repository']);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const strings = (v: unknown, field: string): string[] => {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s.length > 0))
    throw new ConfigError(`${CONFIG_FILE}: "${field}" must be a list of glob strings`);
  return v;
};

const text = (v: unknown, field: string): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !v) throw new ConfigError(`${CONFIG_FILE}: "${field}" must be a non-empty string`);
  return v;
};

/** Include patterns stay in the config's directory: `cleanup --write` rewrites what they select. */
function withinRepository(patterns: string[]): string[] {
  const leaving = patterns.find((p) => path.isAbsolute(p) || /^[A-Za-z]:/.test(p) || p.split(/[\\/]/).includes('..'));
  if (leaving)
    throw new ConfigError(`${CONFIG_FILE}: include pattern "${leaving}" leaves the directory of the config; patterns are relative to it`);
  return patterns;
}

/** Reads `file` (or `<cwd>/edgeflags.config.json` when it exists); unknown fields are an error, not ignored. */
export function loadConfig(cwd: string, file?: string): { config: Config; dir: string } {
  const where = file ? path.resolve(cwd, file) : path.join(cwd, CONFIG_FILE);
  if (!existsSync(where)) {
    if (file) throw new ConfigError(`no config file at ${where}`);
    return { config: { include: DEFAULT_INCLUDE, exclude: [] }, dir: cwd };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(where, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${where}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${where}: must be a JSON object`);
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KNOWN.has(k));
  if (unknown.length) throw new ConfigError(`${where}: unknown field ${unknown.map((k) => `"${k}"`).join(', ')}`);
  return {
    dir: path.dirname(where),
    config: {
      include: o.include === undefined ? DEFAULT_INCLUDE : withinRepository(strings(o.include, 'include')),
      exclude: o.exclude === undefined ? [] : strings(o.exclude, 'exclude'),
      url: text(o.url, 'url'),
      environment: text(o.environment, 'environment'),
      manifest: text(o.manifest, 'manifest'),
      repository: text(o.repository, 'repository'),
    },
  };
}
