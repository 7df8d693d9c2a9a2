/**
 * The edgeflags Worker: admin API, SDK and OFREP routes (Hono) and one EnvironmentHub Durable
 * Object per environment. Run locally with `npm start`; see README for deploying.
 */
import { app } from './app.ts';

export type { AppType } from './app.ts';
export { EnvironmentHub } from './hub/environment-hub.ts';

export default { fetch: app.fetch } satisfies ExportedHandler<import('./env.ts').Env>;
