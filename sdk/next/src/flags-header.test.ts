import { compileSnapshot } from '@edgeflags/core';
import { describe, expect, it } from 'vitest';
import { decodeFlagsHeader, encodeFlagsHeader, MAX_HEADER_CHARS } from './flags-header.ts';
import { readFlags } from './read-flags.ts';

const snapshot = compileSnapshot({
  environment: 'production',
  version: 7,
  flags: [
    {
      key: 'redesigned-dashboard',
      kind: 'string',
      variants: { control: 'control', treatment: 'treatment' },
      enabled: true,
      offVariant: 'control',
      clientVisible: true,
      defaultServe: { variant: 'treatment' },
    },
    {
      key: 'bulk-invoice-api',
      kind: 'boolean',
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      defaultServe: { variant: 'on' },
    },
    {
      key: 'greeting',
      kind: 'string',
      variants: { fr: 'Ça va? 👋' },
      enabled: true,
      offVariant: 'fr',
      clientVisible: true,
      defaultServe: { variant: 'fr' },
    },
  ],
});

function encode(targetingKey?: string) {
  return encodeFlagsHeader({
    environment: snapshot.environment,
    version: snapshot.version,
    context: targetingKey ? { targetingKey, plan: 'free' } : {},
    results: snapshot.evaluateAll({ targetingKey: 'u-1' }),
    isClientVisible: (key) => snapshot.flag(key)?.clientVisible === true,
  })!;
}

describe('x-edgeflags header codec', () => {
  it('round-trips into the exact /sdk/v1/evaluate shape, client-visible flags only', () => {
    const decoded = decodeFlagsHeader(encode('u-1'));
    expect(decoded.bootstrap).toEqual({
      environment: 'production',
      version: 7,
      flags: {
        'redesigned-dashboard': { value: 'treatment', variant: 'treatment', reason: 'DEFAULT' },
        greeting: { value: 'Ça va? 👋', variant: 'fr', reason: 'DEFAULT' },
      },
    });
    expect(decoded.serverOnly).toEqual({ 'bulk-invoice-api': { value: true, variant: 'on', reason: 'DEFAULT' } });
    expect(decoded.context).toEqual({ targetingKey: 'u-1', plan: 'free' });
  });

  it('names the flags the middleware reported exposures for, client-visible ones only', () => {
    const header = encodeFlagsHeader({
      environment: snapshot.environment,
      version: snapshot.version,
      context: { targetingKey: 'u-1' },
      results: snapshot.evaluateAll({ targetingKey: 'u-1' }),
      isClientVisible: (key) => snapshot.flag(key)?.clientVisible === true,
      exposed: ['redesigned-dashboard', 'bulk-invoice-api', 'no-such-flag'],
    });
    expect(decodeFlagsHeader(header).bootstrap.exposed).toEqual(['redesigned-dashboard']);
    expect(decodeFlagsHeader(encode('u-1')).bootstrap).not.toHaveProperty('exposed');
    // A header naming flags it does not carry (or not as strings) is read without them.
    const forged = JSON.stringify({ e: 'production', v: 1, c: {}, f: { a: [true, 'DEFAULT'] }, x: ['a', 'b', 3] });
    expect(decodeFlagsHeader(forged).bootstrap.exposed).toEqual(['a']);
  });

  it('writes ASCII only, so every hop accepts the header', () => {
    expect(encode()).toMatch(/^[\x20-\x7e]+$/);
    expect(() => new Headers({ 'x-edgeflags': encode() })).not.toThrow();
  });

  it('drops server-only flags, then everything, past the size bound', () => {
    const big = (visible: boolean) => ({
      key: 'x',
      value: 'y'.repeat(MAX_HEADER_CHARS),
      reason: 'DEFAULT' as const,
      visible,
    });
    const input = (flags: ReturnType<typeof big>[]) => ({
      environment: 'e',
      version: 1,
      context: {},
      results: Object.fromEntries(flags.map((f, i) => [`${f.key}${i}`, { key: f.key, value: f.value, reason: f.reason }])),
      isClientVisible: (key: string) => flags[Number(key.slice(1))]!.visible,
    });
    const withSmallVisible = encodeFlagsHeader({
      ...input([big(false)]),
      results: { ...input([big(false)]).results, small: { key: 'small', value: true, reason: 'DEFAULT' } },
      isClientVisible: (key) => key === 'small',
    });
    expect(decodeFlagsHeader(withSmallVisible).bootstrap.flags).toEqual({ small: { value: true, reason: 'DEFAULT' } });
    expect(decodeFlagsHeader(withSmallVisible).serverOnly).toEqual({});
    expect(encodeFlagsHeader(input([big(true)]))).toBeUndefined();
  });

  it('reads a missing or malformed header as no flags', () => {
    for (const raw of [null, '', 'not json', '[]', '{"e":1}', '{"e":"x"}']) {
      expect(decodeFlagsHeader(raw).bootstrap).toEqual({ environment: '', version: 0, flags: {} });
    }
    expect(decodeFlagsHeader('{"e":"x","v":1,"f":{"a":"bad","b":[true,"DEFAULT"]}}').bootstrap.flags).toEqual({
      b: { value: true, reason: 'DEFAULT' },
    });
  });
});

describe('readFlags', () => {
  it('gives values of the fallback type, variants and server-only flags', () => {
    const flags = readFlags(new Headers({ 'x-edgeflags': encode('u-1') }));
    expect(flags.evaluated).toBe(true);
    expect(flags.targetingKey).toBe('u-1');
    expect(flags.context).toEqual({ targetingKey: 'u-1', plan: 'free' });
    expect(flags.value('redesigned-dashboard', 'control')).toBe('treatment');
    expect(flags.variant('redesigned-dashboard')).toBe('treatment');
    expect(flags.isEnabled('bulk-invoice-api')).toBe(true);
    expect(flags.value('redesigned-dashboard', false)).toBe(false); // another type: the fallback
    expect(flags.value('missing', 3)).toBe(3);
    expect(flags.value('toString', 'x')).toBe('x'); // no prototype keys
    expect(flags.bootstrap.flags['bulk-invoice-api']).toBeUndefined();
  });

  it('falls back on errors and without a header', () => {
    const raw = JSON.stringify({ e: 'p', v: 1, f: { a: [null, 'ERROR', '', 'FLAG_NOT_FOUND'] } });
    const flags = readFlags(new Headers({ 'x-edgeflags': raw }));
    expect(flags.get('a')).toEqual({ value: null, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(flags.isEnabled('a', true)).toBe(true);
    const none = readFlags(new Headers());
    expect(none.evaluated).toBe(false);
    expect(none.isEnabled('maintenance-mode')).toBe(false);
    expect(none.targetingKey).toBeUndefined();
    expect(none.context).toEqual({});
  });
});
