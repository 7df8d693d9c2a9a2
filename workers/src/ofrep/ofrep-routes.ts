import type { EvaluationResult } from '@edgeflags/core';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { requireSdkKeyForRead } from '../auth/sdk-auth.ts';
import { signStreamToken, verifyStreamToken } from '../auth/stream-token.ts';
import { ApiError } from '../errors.ts';
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

function wire(r: EvaluationResult) {
  if (r.reason === 'ERROR') return { key: r.key, errorCode: r.errorCode ?? 'GENERAL', errorDetails: r.errorMessage ?? '' };
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
  const snap = (await readSnapshot(c.env, sdkKey.environment)).compiled;
  const flag = snap.flag(key);
  if (!flag || (sdkKey.kind === 'client' && !flag.clientVisible)) {
    return c.json({ key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `flag "${key}" not found` }, 404);
  }
  const result = snap.evaluate(key, context);
  return c.json(wire(result), result.reason === 'ERROR' ? 400 : 200);
});

ofrepRoutes.post('/v1/evaluate/flags', requireSdkKeyForRead('server', 'client'), async (c) => {
  const sdkKey = c.get('sdkKey');
  const context = await readContext(c.req.raw);
  const cached = await readSnapshot(c.env, sdkKey.environment);
  // evaluationEtag keeps one character of the tag (`o${kind}` gave 'o' to both kinds, so a client
  // key could revalidate a server key's body): 'S' and 'C' keep the two flag sets apart.
  const etag = evaluationEtag(cached, sdkKey.kind === 'client' ? 'C' : 'S', context);
  c.header('ETag', etag);
  c.header('Cache-Control', 'private, no-cache');
  if (c.req.header('if-none-match') === etag) return c.body(null, 304);
  const results = cached.compiled.evaluateAll(context, sdkKey.kind === 'client' ? (f) => f.clientVisible : undefined);
  const body: Record<string, unknown> = { flags: Object.values(results).map(wire) };
  if (c.env.STREAM_SECRET) {
    const token = await signStreamToken(c.env.STREAM_SECRET, { environment: sdkKey.environment, kind: sdkKey.kind, keyId: sdkKey.id });
    body.eventStreams = [{ type: 'sse', url: new URL(`/ofrep/v1/events?token=${token}`, c.req.url).toString(), inactivityDelaySec: 120 }];
  }
  return c.json(body);
});

/** ADR 0008 refresh stream: `refetchEvaluation` events from the environment's hub. */
ofrepRoutes.get('/v1/events', async (c) => {
  const token = c.req.query('token');
  const grant = token && c.env.STREAM_SECRET ? await verifyStreamToken(c.env.STREAM_SECRET, token) : undefined;
  if (!grant)
    throw new ApiError(401, 'unauthorized', 'stream token missing, invalid or expired; re-fetch the bulk evaluation for a new URL');
  return forwardToHub(c.env, c.req.raw, grant.environment, 'ofrep', grant.keyId);
});
