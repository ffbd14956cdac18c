import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The built dashboard (dist/web, from `npm run build`), found from src/ or dist/ alike; undefined when not built. */
export function webRoot(from = import.meta.dirname): string | undefined {
  let d = from;
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
  const root = join(d, 'dist', 'web');
  return existsSync(join(root, 'index.html')) ? root : undefined;
}

/**
 * Serves the dashboard at `/` (index.html and its hashed assets, cached for a year). Public like
 * /docs: the page asks for an API key when the server requires one, and sends it with each call.
 */
export function webUi(root: string | undefined) {
  return async (app: FastifyInstance): Promise<void> => {
    if (root === undefined) {
      app.get('/', { schema: { hide: true } }, (_req, res) =>
        res
          .type('text/plain')
          .send(
            'Bifrost is running. The dashboard is not built in this copy: npm run build (API at /api/v1, docs at /docs).\n',
          ),
      );
      return;
    }
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: 'index.html',
      setHeaders: (res, path) => {
        res.setHeader(
          'cache-control',
          path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
        );
      },
    });
  };
}
