// Helpers every package's tests share: a headless Chromium launched the one way that works on
// these machines, the admin-API kill switch, and waiting on a condition instead of sleeping.
import { chromium } from 'playwright-core';

/**
 * Debian's Chromium, headless. Without the background-networking flags it keeps trying to reach
 * Google's hosts, which a closed network refuses many times a second.
 */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The kill switch: turns a flag off (or back on) in one environment through the admin API. */
export async function toggleFlag(worker, flag, enabled, environment = 'development') {
  const path = `${worker.url}/api/v1/flags/${flag}/environments/${environment}`;
  const auth = { Authorization: `Bearer ${worker.keys.admin}` };
  // Out of the protective state a switch is guarded by the version; into it the version is ignored.
  const { version } = await (await fetch(path, { headers: auth })).json();
  const res = await fetch(`${path}/toggle`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ enabled, version, reason: `test: ${flag} ${enabled ? 'on' : 'off'}` }),
  });
  if (!res.ok) throw new Error(`toggle ${flag}: ${res.status} ${await res.text()}`);
}

/** Polls `check` until it holds; tests wait on conditions, never on fixed sleeps. */
export async function waitFor(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
