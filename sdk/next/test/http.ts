// Small HTTP helpers for reading the test app's pages without a browser.
import type { RunningApp } from './next-app.ts';

export interface Page {
  status: number;
  html: string;
  headers: Headers;
  /** The `ef_id` the response set, if any. */
  newId: string | undefined;
  setCookie: string;
}

export async function get(app: RunningApp, path: string, init: { cookie?: string; headers?: Record<string, string> } = {}): Promise<Page> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.cookie) headers.cookie = init.cookie;
  const res = await fetch(app.url + path, { headers, redirect: 'manual' });
  const setCookie = res.headers.getSetCookie().join('\n');
  return { status: res.status, html: await res.text(), headers: res.headers, newId: /ef_id=([^;]+)/.exec(setCookie)?.[1], setCookie };
}

export const text = (html: string, id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];
export const variantOf = (html: string) => /id="dashboard" data-variant="(\w+)"/.exec(html)?.[1];

export async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}
