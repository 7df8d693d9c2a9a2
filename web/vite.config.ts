import { defineConfig } from 'vite';

// Vite 8 transforms TSX with oxc; Preact's automatic JSX runtime keeps the bundle small
// (no @preact/preset-vite: it is not installed and we need none of its extras).
export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One JS chunk loaded first and one stylesheet; later features (guarded releases) are chunks
    // loaded by import() that only need that first chunk, so no preload helper is worth its bytes.
    assetsInlineLimit: 0,
    modulePreload: false,
  },
  server: {
    // `npm run dev --workspace web`: the Vite dev server forwards the API to `npm start`'s Worker.
    proxy: { '/api': process.env.EDGEFLAGS_API ?? 'http://127.0.0.1:8787' },
  },
});
