import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';

/** Bundles the test page (React, react-dom, the SDKs) and serves it on its own loopback origin. */
export async function servePage(): Promise<{ url: string; close: () => Promise<void> }> {
  // Production React for most tests; the development build too, since only it runs StrictMode's double effects.
  const bundle = async (mode: string) => {
    const out = await build({
      entryPoints: [new URL('./app.tsx', import.meta.url).pathname],
      bundle: true,
      format: 'esm',
      jsx: 'automatic',
      write: false,
      define: { 'process.env.NODE_ENV': JSON.stringify(mode) },
      logLevel: 'silent',
    });
    return out.outputFiles[0]!.text;
  };
  const [prod, dev] = await Promise.all([bundle('production'), bundle('development')]);
  const html = (src: string) =>
    `<!doctype html><meta charset="utf-8"><title>edgeflags</title><div id="root"></div><script type="module" src="${src}"></script>`;
  const routes: Record<string, [string, string]> = {
    '/': ['text/html', html('/app.js')],
    '/dev': ['text/html', html('/app.dev.js')],
    '/app.js': ['text/javascript', prod],
    '/app.dev.js': ['text/javascript', dev],
  };
  const server: Server = createServer((req, res) => {
    const [type, body] = routes[req.url ?? '/'] ?? ['text/plain', 'not found'];
    res.writeHead(type === 'text/plain' ? 404 : 200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
