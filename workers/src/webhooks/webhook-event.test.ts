import { describe, expect, it } from 'vitest';
import { retryDelaySeconds } from './deliver.ts';
import { signatureHeader, verifySignature } from './signature.ts';
import { escapeSlack } from './slack.ts';
import { eventTypeOf, matchesFilter } from './webhook-event.ts';

describe('event types and filters', () => {
  it('names flag changes flag.<action> and release steps release.<step>; keys and segments are not events', () => {
    expect(eventTypeOf({ resourceType: 'flag_config', action: 'flag.disable' })).toBe('flag.disable');
    expect(eventTypeOf({ resourceType: 'flag_config', action: 'config.update' })).toBe('flag.config.update');
    expect(eventTypeOf({ resourceType: 'flag', action: 'flag.create' })).toBe('flag.create');
    expect(eventTypeOf({ resourceType: 'release', action: 'release.rolled_back' })).toBe('release.rolled_back');
    expect(eventTypeOf({ resourceType: 'sdk_key', action: 'sdk_key.create' })).toBeUndefined();
    expect(eventTypeOf({ resourceType: 'segment', action: 'segment.delete' })).toBeUndefined();
  });

  it('matches exact names, prefixes at a dot boundary and *', () => {
    expect(matchesFilter(['flag.*'], 'flag.config.update')).toBe(true);
    expect(matchesFilter(['flag.*'], 'flagship.launch')).toBe(false);
    expect(matchesFilter(['release.rolled_back'], 'release.held')).toBe(false);
    expect(matchesFilter(['*'], 'release.held')).toBe(true);
    expect(matchesFilter([], 'flag.enable')).toBe(false);
  });
});

describe('delivery pieces', () => {
  it('backs off exponentially from the base, capped at the 12 h a queue can hold a message', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, 30))).toEqual([30, 60, 120, 240]);
    expect(retryDelaySeconds(30, 30)).toBe(43_200);
  });

  it('signs the timestamp with the body and refuses a stale or forged signature', async () => {
    const header = await signatureHeader('whsec_k', '{"a":1}', 1_000_000);
    expect(await verifySignature('whsec_k', '{"a":1}', header, 1_000_299)).toBe(true);
    expect(await verifySignature('whsec_k', '{"a":1}', header, 1_000_301)).toBe(false);
    expect(await verifySignature('whsec_k', '{"a":1}', header.replace('t=1000000', 't=1000100'), 1_000_100)).toBe(false);
    expect(await verifySignature('whsec_k', '{"a":1}', 't=1000000', 1_000_000)).toBe(false);
  });

  it('escapes Slack markup so quoted text cannot ping a channel', () => {
    expect(escapeSlack('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
  });
});
