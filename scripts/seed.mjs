// Writes idempotent seed SQL (INSERT OR IGNORE) for the local database: environments, the five
// seed flags in each, and the local-only development keys (stored as SHA-256, like real ones).
import { createHash } from 'node:crypto';
import { ENVIRONMENTS, FLAGS, LOCAL_KEYS } from './seed-data.mjs';

const q = (v) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
const json = (v) => q(JSON.stringify(v));
const sha = (s) => createHash('sha256').update(s).digest('hex');
const hint = (s) => `${s.slice(0, 8)}…${s.slice(-4)}`;

export function seedSql() {
  const out = [];
  ENVIRONMENTS.forEach((e, i) => {
    out.push(
      `INSERT OR IGNORE INTO environments (key, name, production, sort_order, snapshot_version) VALUES (${q(e.key)}, ${q(e.name)}, ${e.production ? 1 : 0}, ${i}, 1);`,
    );
  });
  for (const { flag, config } of FLAGS) {
    out.push(
      `INSERT OR IGNORE INTO flags (key, kind, variants, name, description, tags, owner, type, expires_at, primary_metric, client_visible, protective_state) VALUES (${q(flag.key)}, ${q(flag.kind)}, ${json(flag.variants)}, ${q(flag.name)}, ${q(flag.description)}, ${json(flag.tags ?? [])}, ${q(flag.owner)}, ${q(flag.type)}, ${q(flag.expiresAt)}, ${q(flag.primaryMetric)}, ${flag.clientVisible ? 1 : 0}, ${q(flag.protectiveState ?? 'off')});`,
    );
    for (const e of ENVIRONMENTS) {
      out.push(
        `INSERT OR IGNORE INTO flag_configs (flag_key, environment, enabled, off_variant, prerequisites, targets, rules, default_serve, bucket_by) VALUES (${q(flag.key)}, ${q(e.key)}, ${config.enabled ? 1 : 0}, ${q(config.offVariant)}, '[]', ${json(config.targets ?? [])}, ${json(config.rules ?? [])}, ${json(config.defaultServe)}, ${q(config.bucketBy)});`,
      );
    }
  }
  out.push(
    `INSERT OR IGNORE INTO admin_tokens (id, name, role, production_access, hash, hint) VALUES ('00000000-0000-4000-8000-000000000001', 'local admin', 'admin', 1, ${q(sha(LOCAL_KEYS.admin))}, ${q(hint(LOCAL_KEYS.admin))});`,
  );
  out.push(
    `INSERT OR IGNORE INTO sdk_keys (id, kind, environment, name, hash, hint) VALUES ('00000000-0000-4000-8000-000000000002', 'server', 'development', 'local server key', ${q(sha(LOCAL_KEYS.server))}, ${q(hint(LOCAL_KEYS.server))});`,
  );
  out.push(
    `INSERT OR IGNORE INTO sdk_keys (id, kind, environment, name, hash, hint) VALUES ('00000000-0000-4000-8000-000000000003', 'client', 'development', 'local client key', ${q(sha(LOCAL_KEYS.client))}, ${q(hint(LOCAL_KEYS.client))});`,
  );
  return `${out.join('\n')}\n`;
}
