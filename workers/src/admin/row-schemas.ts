import { z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import {
  AUDIT_RESOURCE_TYPES,
  adminTokens,
  auditLog,
  environments,
  flagConfigs,
  flags,
  recentContexts,
  sdkKeys,
  segments,
} from '../../../drizzle/schema.ts';
import { ConfigPut, FlagMetadata, SegmentPut, Variants } from './schemas.ts';

// Stored rows as the admin API answers them: derived from the drizzle tables, with each JSON
// column refined by the schema that validated it on write. Secret hashes are never part of them.

const meta = FlagMetadata.shape;
const config = ConfigPut.shape;

/** Any JSON object (values are recursive JSON, which the OpenAPI generator cannot walk). */
const JsonObject = z.record(z.string(), z.unknown());

/** A flag's metadata and variants, shared by every environment. */
export const Flag = createSelectSchema(flags, {
  variants: Variants,
  tags: meta.tags.unwrap(),
  links: meta.links.unwrap(),
  expiresAt: meta.expiresAt.unwrap(),
}).openapi('Flag');

/** A flag's stored configuration in one environment (`version` is what If-Match compares). */
export const FlagEnvironmentConfig = createSelectSchema(flagConfigs, {
  prerequisites: config.prerequisites.unwrap(),
  targets: config.targets.unwrap(),
  rules: config.rules.unwrap(),
  defaultServe: config.defaultServe,
}).openapi('FlagEnvironmentConfig');

export const Environment = createSelectSchema(environments).openapi('Environment');

/** A segment as stored: the definition SDKs evaluate, plus name, description and version. */
export const SegmentRecord = createSelectSchema(segments, {
  definition: SegmentPut.pick({ attribute: true, included: true, excluded: true, rules: true }),
}).openapi('SegmentRecord');

/** An SDK key without its secret; `hint` tells keys apart. */
export const SdkKey = createSelectSchema(sdkKeys).omit({ hash: true }).openapi('SdkKey');

/** An admin token without its secret. */
export const AdminToken = createSelectSchema(adminTokens).omit({ hash: true }).openapi('AdminToken');

/** Who is behind a request: a token (`bootstrap` for the ADMIN_TOKEN secret), or a person signed in through Access. */
export const Actor = AdminToken.pick({ id: true, name: true, role: true, productionAccess: true })
  .extend({
    person: z
      .object({ email: z.string(), name: z.string() })
      .nullable()
      .optional()
      .openapi({ description: "The person acting: signed in through Cloudflare Access, or the token's owner; null for an unowned token" }),
    token: z
      .object({ id: z.string(), name: z.string() })
      .nullable()
      .optional()
      .openapi({ description: 'The admin token used; null when signed in through Cloudflare Access' }),
  })
  .openapi('Actor');

/** One audit entry; `before` and `after` are the resource as JSON (null on creation or deletion). */
export const AuditEntry = createSelectSchema(auditLog, {
  resourceType: z.enum(AUDIT_RESOURCE_TYPES),
  before: JsonObject.nullable(),
  after: JsonObject.nullable(),
})
  // The chain columns are served by GET /audit/chain (docs/audit.md), with the raw text they hash.
  .omit({ hash: true, prevHash: true })
  .openapi('AuditEntry');

/** A context an SDK sent with its exposures. */
export const RecentContext = createSelectSchema(recentContexts, {
  context: JsonObject.openapi({ description: 'Attributes: strings, numbers, booleans, null, or lists of them' }),
})
  .omit({ environment: true })
  .openapi('RecentContext');
