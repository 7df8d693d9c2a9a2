import type { EvaluationContext, Snapshot } from '@edgeflags/core';
import { createClient, type EdgeflagsClient } from '@edgeflags/node';
import { EDGEFLAGS_FLAGS, variedContext, variedEdgeflags } from './edgeflags.ts';
import { ROLLOUT_FLAG, SIMPLE_FLAG } from './flags.ts';
import { evaluators, type Sdk } from './sdk.ts';

const SNAPSHOT: Snapshot = { environment: 'bench', version: 1, flags: EDGEFLAGS_FLAGS };

/**
 * The real @edgeflags/node client over the same two flags as the `edgeflags` row, called through
 * its public API (`isEnabled`). `exposures` adds exposure recording as shipped (on by default
 * online): the client downloads the snapshot and posts events through a stub `fetch`, so the
 * benchmark stays offline.
 */
function nodeClient(name: string, exposures: boolean): Sdk {
  let client: EdgeflagsClient | undefined;
  return {
    name,
    pkg: '@edgeflags/node',
    async setup(users, varied = []) {
      const snapshot: Snapshot = { ...SNAPSHOT, flags: [...SNAPSHOT.flags, ...variedEdgeflags(varied)] };
      client = exposures
        ? createClient({
            url: 'http://bench.invalid',
            serverKey: 'efs_bench',
            stream: false,
            logger: false,
            fetch: async (url) =>
              url.endsWith('/sdk/v1/snapshot')
                ? new Response(JSON.stringify(snapshot), { headers: { ETag: '"bench.1"' } })
                : new Response('{"accepted":0}', { status: 202 }),
          })
        : createClient({ snapshot });
      if (!(await client.ready())) throw new Error('@edgeflags/node: no snapshot');
      const flags = client;
      const contexts: EvaluationContext[] = users.map((u) => ({ targetingKey: u.id, country: u.country }));
      return evaluators({
        mode: 'sync',
        contexts,
        evaluateVaried: (u) => {
          const ctx = variedContext(u);
          for (const f of varied) flags.isEnabled(f.key, ctx);
        },
        simple: (ctx) => flags.isEnabled(SIMPLE_FLAG, ctx),
        rollout: (ctx) => flags.isEnabled(ROLLOUT_FLAG, ctx),
      });
    },
    close: () => client?.close(),
  };
}

export const edgeflagsNode = nodeClient('@edgeflags/node', false);
export const edgeflagsNodeExposures = nodeClient('@edgeflags/node +exposures', true);

/**
 * Guarded releases: both flags are under a live plan (`tracked`), and each call is one recorded
 * request — `measure()` opens a scope, the evaluation notes its variant, and the scope's end
 * records duration and outcome into the flag × variant cell (a latency sketch included).
 * Compared with the bare row, the difference is the SDK's added cost per recorded request.
 * Metrics go to a stub `fetch`, as exposures do, so the benchmark stays offline.
 */
function recordedClient(): Sdk {
  let client: EdgeflagsClient | undefined;
  const tracked: Snapshot = { ...SNAPSHOT, tracked: [SIMPLE_FLAG, ROLLOUT_FLAG] };
  return {
    name: '@edgeflags/node recorded request',
    pkg: '@edgeflags/node',
    async setup(users) {
      client = createClient({
        url: 'http://bench.invalid',
        serverKey: 'efs_bench',
        stream: false,
        logger: false,
        exposures: false,
        fetch: async (url) =>
          url.endsWith('/sdk/v1/snapshot')
            ? new Response(JSON.stringify(tracked), { headers: { ETag: '"bench.1"' } })
            : new Response('{"accepted":0,"dropped":0}', { status: 202 }),
      });
      if (!(await client.ready())) throw new Error('@edgeflags/node: no snapshot');
      const flags = client;
      const contexts: EvaluationContext[] = users.map((u) => ({ targetingKey: u.id, country: u.country }));
      return evaluators({
        mode: 'sync',
        contexts,
        simple: (ctx) => flags.measure(() => flags.isEnabled(SIMPLE_FLAG, ctx)),
        rollout: (ctx) => flags.measure(() => flags.isEnabled(ROLLOUT_FLAG, ctx)),
      });
    },
    close: () => client?.close(),
  };
}

export const edgeflagsNodeRecorded = recordedClient();
