// The admin API's types, derived from the Worker's routes (`AppType`) as `import type`: paths,
// request bodies, query strings and 200 answers come from the route definitions themselves, so
// the app has no hand-copied wire types to drift. Nothing of the Worker reaches the bundle; the
// app's program resolves the worker sources with the runtime names in worker-runtime.d.ts.
import type { ExtractSchema } from 'hono/types';
import type { AppType } from '../../../workers/src/app.ts';

type Schema = ExtractSchema<AppType>;
type Prefix = '/api/v1';

/** Every admin route's path as the app calls it, e.g. `/flags/:key/environments/:env/toggle`. */
export type Path = keyof Schema extends infer K ? (K extends `${Prefix}${infer P}` ? P : never) : never;
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** The methods a path answers. */
export type MethodOf<P extends Path> = Extract<keyof Schema[`${Prefix}${P}`], `$${Method}`> extends `$${infer M}` ? M & Method : never;

type Endpoint<P extends Path, M extends MethodOf<P>> = Schema[`${Prefix}${P}`][`$${M}` & keyof Schema[`${Prefix}${P}`]];

/** What the route answers with 200. */
export type Ok<P extends Path, M extends MethodOf<P>> = Extract<Endpoint<P, M>, { status: 200 }> extends { output: infer O } ? O : never;
/** What the route reads: `param`, `query`, `json` (as the Worker's zod schemas take them in). */
export type Input<P extends Path, M extends MethodOf<P>> = Endpoint<P, M> extends { input: infer I } ? I : never;
/** The JSON body a route takes. */
export type Body<P extends Path, M extends MethodOf<P>> = Input<P, M> extends { json: infer J } ? J : never;
/** Its query string. */
export type Query<P extends Path, M extends MethodOf<P>> = Input<P, M> extends { query: infer Q } ? Q : never;
