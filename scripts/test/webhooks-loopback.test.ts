// Issue 10 proof (e): a real local Worker (wrangler dev) posts every flag and release event to a
// real Node http receiver on loopback, which verifies each signature the way docs/webhooks.md
// tells receivers to (node:crypto, raw body, 5-minute tolerance).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalWorker, startLocalWorker } from '../local-worker.mjs';
import { waitFor } from '../test-support.mjs';

// docs/webhooks.md, "Verifying a delivery", as a receiver would paste it.
const TOLERANCE_SECONDS = 300;
function verifyEdgeflags(secret: string, rawBody: string, header: string | undefined, now = Date.now() / 1000): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=', 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(now - t) > TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface Delivery {
  body: string;
  signature: string | undefined;
  type: string | undefined;
  delivery: string | undefined;
}

const deliveries: Delivery[] = [];
let receiver: Server;
let worker: LocalWorker;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const header = (name: string) => req.headers[name] as string | undefined;
      deliveries.push({
        body,
        signature: header('edgeflags-signature'),
        type: header('edgeflags-event'),
        delivery: header('edgeflags-delivery'),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  worker = await startLocalWorker({ timeoutMs: 120_000 });
}, 180_000);

afterAll(async () => {
  await worker?.dispose();
  await new Promise((r) => receiver?.close(r));
});

async function admin<T>(method: string, path: string, body?: unknown, version?: number): Promise<T> {
  const headers: Record<string, string> = { Authorization: `Bearer ${worker.keys.admin}`, 'Content-Type': 'application/json' };
  if (version !== undefined) headers['If-Match'] = `"${version}"`;
  const res = await fetch(`${worker.url}/api/v1${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function toggle(flag: string, enabled: boolean) {
  const cfg = `/flags/${flag}/environments/development`;
  const { version } = await admin<{ version: number }>('GET', cfg);
  await admin('POST', `${cfg}/toggle`, { enabled, version, reason: `loopback: ${enabled ? 'on' : 'off'}` });
}

interface AuditEntry {
  id: number;
  action: string;
  resourceType: string;
}

describe('webhooks on loopback', () => {
  it('delivers every flag and release event to a Node receiver, each signed with the secret shown at creation', async () => {
    const port = (receiver.address() as AddressInfo).port;
    const hook = await admin<{ id: string; secret: string }>('POST', '/webhooks', {
      url: `http://127.0.0.1:${port}/edgeflags`,
      events: ['flag.*', 'release.*'],
    });
    const [created] = (await admin<{ entries: AuditEntry[] }>('GET', `/audit?flag=${hook.id}`)).entries;

    await toggle('ai-chatbot', false);
    await toggle('ai-chatbot', true);
    const releases = '/flags/new-pdf-engine/environments/development/releases';
    type Written = { plan: { id: string; version: number } };
    let { plan } = await admin<Written>('POST', releases, {
      template: 'seed-003',
      start: true,
      reason: 'loopback',
    });
    ({ plan } = await admin<Written>('POST', `${releases}/${plan.id}/pause`, { reason: 'look first' }, plan.version));
    ({ plan } = await admin<Written>('POST', `${releases}/${plan.id}/resume`, {}, plan.version));
    await admin('POST', `${releases}/${plan.id}/rollback`, { reason: 'loopback rollback' });

    // Every audited flag or release change since the hook existed is an event it must receive.
    const audited = async () =>
      (await admin<{ entries: AuditEntry[] }>('GET', '/audit?limit=200')).entries
        .filter((e) => e.id > created!.id && ['flag', 'flag_config', 'release', 'approval'].includes(e.resourceType))
        .map((e) => `evt_${e.id}`);
    const expected = await audited();
    const received = () => deliveries.map((d) => (JSON.parse(d.body) as { id: string }).id);
    await waitFor(() => expected.every((id) => received().includes(id)), `${expected.length} deliveries`, 30_000);
    // The conductor may decide again meanwhile (a hold after the resume): that is audited too.
    const now = await audited();
    expect(received().every((id) => now.includes(id))).toBe(true);
    expect(new Set(deliveries.map((d) => d.delivery)).size).toBe(deliveries.length);

    const events = deliveries.map((d) => JSON.parse(d.body) as { id: string; type: string });
    for (const d of deliveries) {
      expect(verifyEdgeflags(hook.secret, d.body, d.signature), d.body).toBe(true);
      expect(verifyEdgeflags(hook.secret, `${d.body} `, d.signature)).toBe(false);
    }
    console.log(`loopback: ${deliveries.length} deliveries (${[...new Set(events.map((e) => e.type))].join(', ')}), all verified`);
    const types = new Set(events.map((e) => e.type));
    for (const type of ['flag.disable', 'flag.enable', 'release.started', 'release.paused', 'release.resumed', 'release.rolled_back'])
      expect(types, type).toContain(type);
    expect(deliveries.every((d, i) => d.type === events[i]!.type)).toBe(true);
  });
});
