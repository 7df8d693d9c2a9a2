/**
 * What code is judged against: every flag key (archived too) with its expiry and per-environment
 * uniform answer (GET /api/v1/manifest), plus the policy violations the service reports
 * (GET /api/v1/policy-report). Read live, or from a file `edgeflags manifest export` wrote, so a
 * pipeline without access to the service can still lint.
 */
import { readFileSync } from 'node:fs';
import { type AdminClient, ApiFailure } from '../admin-client.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ManifestFlag {
  key: string;
  kind: 'boolean' | 'string' | 'number' | 'json';
  type: string;
  owner: string;
  expiresAt: string | null;
  archived: boolean;
  variants: Record<string, JsonValue>;
  /** Per environment: the answer everyone gets, or null while it depends on the context. */
  environments: Record<string, { variant: string; value: JsonValue } | null>;
}

export interface PolicyViolation {
  flagKey: string;
  rule: string;
  message: string;
}

export interface Manifest {
  format: 'edgeflags-manifest';
  version: 1;
  generatedAt: string;
  flags: ManifestFlag[];
  policy: PolicyViolation[];
}

interface PolicyReport {
  flags: { key: string; violations: { rule: string; message: string }[] }[];
}

/** The manifest as the service has it now. Throws ApiFailure (status 0: not reachable). */
export async function fetchManifest(api: AdminClient): Promise<Manifest> {
  const { flags } = await api.get<{ flags: ManifestFlag[] }>('/manifest');
  let policy: PolicyViolation[] = [];
  try {
    const report = await api.get<PolicyReport>('/policy-report');
    policy = report.flags.flatMap((f) => f.violations.map((v) => ({ flagKey: f.key, rule: v.rule, message: v.message })));
  } catch (e) {
    // A service without policies yet: lint the keys alone.
    if (!(e instanceof ApiFailure && e.status === 404)) throw e;
  }
  return { format: 'edgeflags-manifest', version: 1, generatedAt: new Date().toISOString(), flags, policy };
}

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** A manifest file, checked enough that a wrong file is a clear error instead of "every key unknown". */
export function readManifest(file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ManifestError(`cannot read the manifest ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const m = raw as Partial<Manifest> | null;
  if (m?.format !== 'edgeflags-manifest' || m.version !== 1 || !Array.isArray(m.flags))
    throw new ManifestError(`${file} is not an edgeflags manifest (write one with: edgeflags manifest export --out ${file})`);
  return { ...(m as Manifest), policy: Array.isArray(m.policy) ? m.policy : [] };
}
