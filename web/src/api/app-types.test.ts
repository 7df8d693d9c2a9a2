import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Body, Ok, Path } from './app-types.ts';
import { createApi } from './client.ts';

// The app's wire types are the Worker's routes (AppType), checked by `tsc -p web`: a route the
// Worker lacks, or a body field it does not take, fails the typecheck rather than at runtime.
describe('types derived from the Worker routes', () => {
  it('types answers and bodies per route, and refuses a path the Worker lacks', () => {
    type Toggled = Ok<'/flags/:key/environments/:env/toggle', 'post'>;
    expectTypeOf<Toggled['delivered']>().toEqualTypeOf<number>();
    expectTypeOf<Toggled['delivery']>().toEqualTypeOf<'delivered' | 'pending'>();
    expectTypeOf<Body<'/flags/:key/environments/:env/toggle', 'post'>['enabled']>().toEqualTypeOf<boolean>();
    expectTypeOf<Ok<'/environments/:env/hub', 'get'>['recent'][number]['lastAckMs']>().toEqualTypeOf<number | null>();
    expectTypeOf<'/flags/:key'>().toExtend<Path>();
    // @ts-expect-error not a route of the Worker
    expectTypeOf<'/flagz'>().toExtend<Path>();
  });

  it('answers each method with its route’s 200 shape, sending the path parameters in the URL', async () => {
    const seen: string[] = [];
    const api = createApi({
      token: 't',
      fetch: async (input) => {
        seen.push(String(input));
        return Response.json({ keys: [] });
      },
    });
    const listed = await api.listSdkKeys();
    expectTypeOf<(typeof listed.keys)[number]['kind']>().toEqualTypeOf<'server' | 'client'>();
    await api.getFlag('a b/c').catch(() => undefined);
    expect(seen).toEqual(['/api/v1/sdk-keys', '/api/v1/flags/a%20b%2Fc']);
  });
});
