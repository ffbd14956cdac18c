import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into dist/web and served by `bifrost serve` at / (no separate server).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/api': 'http://127.0.0.1:4318' } },
});
