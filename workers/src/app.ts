import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { auditChainRoutes } from './admin/audit-chain-routes.ts';
import { auditRoutes } from './admin/audit-routes.ts';
import { codeRefRoutes } from './admin/code-ref-routes.ts';
import { configRoutes } from './admin/config-routes.ts';
import { environmentRoutes } from './admin/environment-routes.ts';
import { flagRoutes } from './admin/flag-routes.ts';
import { idempotency } from './admin/idempotency.ts';
import { insightRoutes } from './admin/insight-routes.ts';
import { keyRoutes } from './admin/key-routes.ts';
import { manifestRoutes } from './admin/manifest-routes.ts';
import { documentOperations } from './admin/openapi-helpers.ts';
import { revertRoutes } from './admin/revert-routes.ts';
import { roleBindingRoutes } from './admin/role-binding-routes.ts';
import type { AppEnv } from './app-env.ts';
import { sealAfterWrites } from './audit/seal.ts';
import { changeRoutes } from './changes/change-routes.ts';
import { docsRoutes } from './docs/docs-routes.ts';
import { envelope, onError, validationHook } from './errors.ts';
import { eventsRoutes } from './events/events-routes.ts';
import { graphRoutes } from './graph/graph-routes.ts';
import { reportRoutes } from './lifecycle/report-routes.ts';
import { metricsRoutes } from './metrics/metrics-routes.ts';
import { ofrepRoutes } from './ofrep/ofrep-routes.ts';
import { policyRoutes } from './policies/policy-routes.ts';
import { privateAnswers } from './private-answers.ts';
import { releaseRoutes } from './releases/release-routes.ts';
import { requestBody } from './request-body.ts';
import { sdkRoutes } from './sdk/sdk-routes.ts';
import { dispatchAfterWrites } from './webhooks/dispatch.ts';
import { webhookRoutes } from './webhooks/webhook-routes.ts';

/** The Worker's HTTP surface: admin API (+ OpenAPI 3.1), native SDK routes, OFREP. */
const adminApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
// Every admin write honours Idempotency-Key; its access rule is declared on the route itself.
adminApi.use('*', idempotency);
// A committed write's audit entry goes to the webhooks from its own waitUntil (the cron is the backstop).
adminApi.use('*', dispatchAfterWrites);
// …and is chained into the tamper-evident log by the AuditSealer, also after the answer (docs/audit.md).
adminApi.use('*', sealAfterWrites);
export const admin = adminApi
  .route('/', flagRoutes)
  .route('/', configRoutes)
  .route('/', revertRoutes)
  .route('/', environmentRoutes)
  .route('/', keyRoutes)
  .route('/', roleBindingRoutes)
  .route('/', auditRoutes)
  .route('/', auditChainRoutes)
  .route('/', insightRoutes)
  .route('/', codeRefRoutes)
  .route('/', manifestRoutes)
  .route('/', releaseRoutes)
  .route('/', changeRoutes)
  .route('/', policyRoutes)
  .route('/', graphRoutes)
  .route('/', webhookRoutes)
  .route('/', reportRoutes);

documentOperations(admin);
admin.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
  type: 'http',
  scheme: 'bearer',
  description: 'Admin token (efa_…)',
});
admin.openAPIRegistry.registerComponent('securitySchemes', 'cloudflareAccess', {
  type: 'apiKey',
  in: 'header',
  name: 'Cf-Access-Jwt-Assertion',
  description:
    'A person signed in through Cloudflare Access, when configured (docs/identity.md); browsers send the CF_Authorization cookie',
});

const OPENAPI_CONFIG = {
  openapi: '3.1.0',
  info: {
    title: 'edgeflags admin API',
    version: '1.0.0',
    description:
      'Flags, targeting, rollouts, segments, keys and the audit log. Every error is one envelope, { error: { code, message, details } }, whose code is one of the closed set in the Error schema: 400 malformed, 413 too large, 415 not JSON, 422 refused by a rule, 409 conflict, 428 version required, 429 limited. Guarded writes take the version in If-Match ("3", as the ETag of GET /flags/{key} or /flags/{key}/environments/{env}) or in `version`; every write takes Idempotency-Key. Streams: /api/v1/streams.json (AsyncAPI). Reference: /api/v1/docs. See docs/streams.md.',
  },
  servers: [{ url: '/api/v1' }],
};
admin.doc31('/openapi.json', OPENAPI_CONFIG);
// Browsers call SDK and OFREP routes from any origin with a public client key.
const sdkCors = cors({
  origin: '*',
  allowHeaders: ['Authorization', 'X-API-Key', 'Content-Type', 'If-None-Match', 'Last-Event-ID'],
  exposeHeaders: ['ETag'],
  maxAge: 86400,
});

export const app = new OpenAPIHono<AppEnv>()
  .get('/healthz', (c) => c.json({ ok: true }))
  // Admin responses are never framed, sniffed or cached by intermediaries.
  .use('/api/*', secureHeaders({ crossOriginResourcePolicy: 'same-origin' }), privateAnswers, async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  })
  // Keyed answers are private to the key; see private-answers.ts.
  .use('/sdk/*', privateAnswers, sdkCors)
  .use('/ofrep/*', privateAnswers, sdkCors)
  // Type, size and parse limits for every body, before any route reads one.
  .use('*', requestBody)
  .route('/sdk/v1', sdkRoutes)
  .route('/sdk/v1', eventsRoutes)
  .route('/sdk/v1', metricsRoutes)
  .route('/ofrep', ofrepRoutes)
  .route('/api/v1', admin);

app.get('/openapi.json', (c) => c.redirect('/api/v1/openapi.json'));
// The streaming contract (AsyncAPI) and an HTML reference of the admin API, public like openapi.json.
app.route(
  '/api/v1',
  docsRoutes(() => admin.getOpenAPI31Document(OPENAPI_CONFIG)),
);

app.onError(onError);
app.notFound((c) => c.json(envelope('not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));

export type AppType = typeof app;
