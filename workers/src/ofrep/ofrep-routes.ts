import type { EvaluationResult } from '@edgeflags/core';
import { Hono } from 'hono';
import type { AppEnv, SdkKey } from '../app-env.ts';
import { currentSdkKey, requireSdkKeyForRead } from '../auth/sdk-auth.ts';
import { signStreamToken, verifyStreamToken } from '../auth/stream-token.ts';
import { ApiError } from '../errors.ts';
import { countBulk, countOne, evaluatedKeys } from '../lifecycle/evaluation-counter.ts';
import { evaluationEtag } from '../sdk/bulk-evaluate.ts';
import { readContext } from '../sdk/context.ts';
import { forwardToHub } from '../sdk/forward-to-hub.ts';
import { readSnapshot } from '../snapshot/edge-cache.ts';

/**
 * OpenFeature Remote Evaluation Protocol (open-feature/protocol service/openapi.yaml), so the
 * official OFREP providers work unchanged. A client key sees only client-visible flags; any
 * other key is reported as not found, so a browser cannot probe for server-only flags.
 */
export const ofrepRoutes = new Hono<AppEnv>();

/**
 * Error details name rule internals (the attribute a flag buckets by, a prerequisite's key), so
 * a client key gets a fixed sentence per error code instead: it learns nothing about what it
 * cannot evaluate. Server keys download the rules anyway and keep the precise message.
 */
const CLIENT_ERROR_DETAILS: Record<string, string> = {
  FLAG_NOT_FOUND: 'flag not found',
  TYPE_MISMATCH: 'the default value does not match the flag type',
  PARSE_ERROR: 'the flag could not be evaluated',
  INVALID_CONTEXT: 'the evaluation context is not valid',
  TARGETING_KEY_MISSING: 'the context lacks an attribute this flag needs',
  GENERAL: 'the flag could not be evaluated',
};

function wire(r: EvaluationResult, kind: SdkKey['kind']) {
  if (r.reason === 'ERROR') {
    const errorCode = r.errorCode ?? 'GENERAL';
    const errorDetails = kind === 'client' ? (CLIENT_ERROR_DETAILS[errorCode] ?? CLIENT_ERROR_DETAILS.GENERAL) : (r.errorMessage ?? '');
    return { key: r.key, errorCode, errorDetails };
  }
  return { key: r.key, value: r.value, reason: r.reason, variant: r.variant, metadata: {} };
}

ofrepRoutes.get('/v1/configuration', requireSdkKeyForRead('server', 'client'), (c) =>
  c.json({
    name: 'edgeflags',
    capabilities: {
      cacheInvalidation: { polling: { enabled: true, minPollingIntervalMs: 1000 } },
      flagEvaluation: { supportedTypes: ['boolean', 'string', 'integer', 'float', 'object'] },
    },
  }),
);

ofrepRoutes.post('/v1/evaluate/flags/:key', requireSdkKeyForRead('server', 'client'), async (c) => {
  const sdkKey = c.get('sdkKey');
  const key = c.req.param('key');
  const context = await readContext(c.req.raw);
  const snap = (await readSnapshot(c.env, sdkKey.environment, c.executionCtx)).compiled;
  const flag = snap.flag(key);
  if (!flag || (sdkKey.kind === 'client' && !flag.clientVisible)) {
    return c.json({ key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `flag "${key}" not found` }, 404);
  }
  const result = snap.evaluate(key, context);
  countOne(c.env, c.executionCtx, sdkKey.environment, key);
  return c.json(wire(result, sdkKey.kind), result.reason === 'ERROR' ? 400 : 200);
});

ofrepRoutes.post('/v1/evaluate/flags', requireSdkKeyForRead('server', 'client'), async (c) => {
  const sdkKey = c.get('sdkKey');
  const context = await readContext(c.req.raw);
  const cached = await readSnapshot(c.env, sdkKey.environment, c.executionCtx);
  // evaluationEtag keeps one character of the tag (`o${kind}` gave 'o' to both kinds, so a client
  // key could revalidate a server key's body): 'S' and 'C' keep the two flag sets apart.
  const etag = evaluationEtag(cached, sdkKey.kind === 'client' ? 'C' : 'S', context);
  c.header('ETag', etag);
  c.header('Cache-Control', 'private, no-cache');
  countBulk(c.env, c.executionCtx, sdkKey.environment, evaluatedKeys(cached.compiled, sdkKey.kind));
  if (c.req.header('if-none-match') === etag) return c.body(null, 304);
  const results = cached.compiled.evaluateAll(context, sdkKey.kind === 'client' ? (f) => f.clientVisible : undefined);
  const body: Record<string, unknown> = { flags: Object.values(results).map((r) => wire(r, sdkKey.kind)) };
  if (c.env.STREAM_SECRET) {
    const token = await signStreamToken(c.env.STREAM_SECRET, { environment: sdkKey.environment, kind: sdkKey.kind, keyId: sdkKey.id });
    body.eventStreams = [{ type: 'sse', url: new URL(`/ofrep/v1/events?token=${token}`, c.req.url).toString(), inactivityDelaySec: 120 }];
  }
  return c.json(body);
});

/**
 * ADR 0008 refresh stream: `refetchEvaluation` events from the environment's hub. The token
 * names a key; the stream opens only while D1 holds that key live in that environment, and
 * the hub ends it when the key is revoked, rotated out or expires.
 */
ofrepRoutes.get('/v1/events', async (c) => {
  const token = c.req.query('token');
  const grant = token && c.env.STREAM_SECRET ? await verifyStreamToken(c.env.STREAM_SECRET, token) : undefined;
  const key = grant && (await currentSdkKey(c.env, grant.keyId));
  if (!grant || !key || key.environment !== grant.environment || key.kind !== grant.kind)
    throw new ApiError(
      401,
      'unauthorized',
      'stream token missing, invalid or expired, or its key was revoked; re-fetch the bulk evaluation for a new URL',
    );
  return forwardToHub(c.env, c.req.raw, key.environment, 'ofrep', { keyId: key.id, expiresAt: key.expiresAt });
});
