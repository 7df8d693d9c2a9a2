import type { AuditRow } from '../api/types.ts';

/** "Alice (3f2a…uuid)" as stored by the Worker (workers/src/admin/audit.ts): the name, and the id for a tooltip. */
export function actorName(actor: string): { name: string; id: string } {
  const m = /^(.*) \(([^()]+)\)$/.exec(actor);
  return m ? { name: m[1] || 'unnamed', id: m[2]! } : { name: actor, id: '' };
}

const KIND: Record<string, string> = { sdk_key: 'SDK key', admin_token: 'admin token' };

/** Keys and tokens are filed under their UUID; people know them by the name they were given. */
export function resourceName(entry: Pick<AuditRow, 'resourceType' | 'resourceKey' | 'before' | 'after'>): string {
  const kind = KIND[entry.resourceType];
  if (!kind) return entry.resourceKey;
  const row = (entry.after ?? entry.before) as { name?: unknown; kind?: unknown } | null;
  const name = typeof row?.name === 'string' && row.name ? row.name : entry.resourceKey;
  return `${typeof row?.kind === 'string' ? `${row.kind} ` : ''}${kind} “${name}”`;
}

const VERBS: Record<string, string> = {
  create: 'created',
  update: 'changed',
  delete: 'deleted',
  revoke: 'revoked',
  rotate: 'rotated',
  archive: 'archived',
  restore: 'restored',
  enable: 'switched on',
  disable: 'switched off',
  toggle: 'switched',
  rollout: 'rollout changed',
  rollback: 'rolled back',
};

/** "sdk_key.revoke" → "SDK key revoked": the code stays visible beside it for searches and scripts. */
export function actionLabel(action: string): string {
  const [type = '', verb = ''] = action.split('.');
  const noun = KIND[type] ?? type.replace(/_/g, ' ').replace(/^config$/, 'targeting');
  const what = VERBS[verb] ?? verb.replace(/_/g, ' ');
  return `${noun.charAt(0).toUpperCase()}${noun.slice(1)} ${what}`;
}

const FIELDS: Record<string, string> = {
  enabled: 'On',
  defaultServe: 'Default rule',
  offVariant: 'Off variant',
  revokedAt: 'Revoked',
  expiresAt: 'Expires',
  replacedBy: 'Replaced by',
  bucketBy: 'Bucket by',
  clientVisible: 'Visible to client SDKs',
  protectiveState: 'Protective state',
};

/** `rules.0.conditions.1.values` → "Rule 1 › condition 2 › values"; known fields get their form label. */
export function fieldLabel(path: string): string {
  if (!path) return 'Value';
  return path
    .split('.')
    .map((part, i, all) => {
      if (/^\d+$/.test(part)) return null;
      const index = /^\d+$/.test(all[i + 1] ?? '') ? ` ${Number(all[i + 1]) + 1}` : '';
      const word = FIELDS[part] ?? part.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      const singular = index ? word.replace(/s$/, '') : word;
      return `${singular}${index}`;
    })
    .filter((p) => p !== null)
    .map((p, i) => (i === 0 ? p.charAt(0).toUpperCase() + p.slice(1) : p))
    .join(' › ');
}

const TIME_FIELD = /(At|Since)$/;

/** A value as a person reads it: yes/no, dates, lists and small objects without JSON punctuation. */
export function valueText(v: unknown, path = ''): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'boolean') return path === 'enabled' ? (v ? 'on' : 'off') : v ? 'yes' : 'no';
  if (typeof v === 'number' && TIME_FIELD.test(path) && v > 1e11) return new Date(v).toLocaleString();
  if (typeof v === 'string') return v === '' ? '(empty)' : v;
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map((x) => valueText(x)).join(', ');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.variant === 'string' && typeof o.weight === 'number') return `${o.variant} ${o.weight}%`;
    return Object.entries(o)
      .map(([k, x]) => `${k}: ${valueText(x, k)}`)
      .join('; ');
  }
  return String(v);
}
