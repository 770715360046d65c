import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The Rust api (default http://127.0.0.1:8080) serves the built app at /admin.
// Override the dev proxy target with ROSTER_API_URL if the api runs elsewhere.
const apiTarget = process.env.ROSTER_API_URL ?? 'http://127.0.0.1:8080';
const proxiedPaths = ['/api', '/healthz', '/readyz', '/openapi.json', '/docs', '/scim'];

export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  server: {
    proxy: Object.fromEntries(
      proxiedPaths.map((path) => [path, { target: apiTarget, changeOrigin: false }]),
    ),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
