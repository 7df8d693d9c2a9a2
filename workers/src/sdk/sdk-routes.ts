import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { currentSdkKey, requireSdkKey, requireSdkKeyForRead } from '../auth/sdk-auth.ts';
import { ApiError } from '../errors.ts';
import { sampleContext } from '../events/sample-context.ts';
import { countBulk, evaluatedKeys } from '../lifecycle/evaluation-counter.ts';
import { readSnapshot } from '../snapshot/edge-cache.ts';
import { evaluateForKey, evaluationEtag, trackedForKey } from './bulk-evaluate.ts';
import { readContext } from './context.ts';
import { forwardToHub } from './forward-to-hub.ts';

/**
 * Native SDK routes. Server keys download the snapshot (rules included) and evaluate locally;
 * client keys get values already evaluated here, so no rule, target or other user leaves.
 */
export const sdkRoutes = new Hono<AppEnv>();

sdkRoutes.get('/snapshot', requireSdkKeyForRead('server'), async (c) => {
  const snap = await readSnapshot(c.env, c.get('sdkKey').environment, c.executionCtx);
  c.header('ETag', snap.etag);
  c.header('Cache-Control', 'private, no-cache');
  if (c.req.header('if-none-match') === snap.etag) return c.body(null, 304);
  return c.body(snap.json, 200, { 'Content-Type': 'application/json' });
});

sdkRoutes.post('/evaluate', requireSdkKeyForRead('server', 'client'), async (c) => {
  const key = c.get('sdkKey');
  const context = await readContext(c.req.raw);
  const snap = await readSnapshot(c.env, key.environment, c.executionCtx);
  sampleContext(c, key.environment, context);
  // A 304 too: the caller goes on using the flags it holds, so they were evaluated (lifecycle evidence).
  countBulk(c.env, c.executionCtx, key.environment, evaluatedKeys(snap.compiled, key.kind));
  const etag = evaluationEtag(snap, key.kind, context);
  c.header('ETag', etag);
  c.header('Cache-Control', 'private, no-cache');
  if (c.req.header('if-none-match') === etag) return c.body(null, 304);
  const flags = evaluateForKey(snap, key.kind, context);
  // Plans change the snapshot's version, so the ETag above also covers `tracked`.
  const tracked = trackedForKey(snap, key.kind, context);
  return c.json({ environment: snap.environment, version: snap.version, flags, ...(tracked.length > 0 && { tracked }) });
});

sdkRoutes.get('/stream', requireSdkKey('server', 'client'), async (c) => {
  // A stream outlives every cache, so it opens only for a key D1 still holds live; the hub
  // ends it when the key is revoked, rotated out or expires.
  const key = await currentSdkKey(c.env, c.get('sdkKey').id);
  if (!key) throw new ApiError(401, 'unauthorized', 'unknown, revoked or expired SDK key');
  return forwardToHub(c.env, c.req.raw, key.environment, key.kind, { keyId: key.id, expiresAt: key.expiresAt });
});
