import type { FastifyInstance } from 'fastify';

interface RouteMethod {
  pattern: RegExp;
  method: string;
}

const routesOf = new WeakMap<FastifyInstance, RouteMethod[]>();

/** `/admin/fraud/prefixes/:prefix` and `/docs/*` as a regular expression over a path. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) =>
      segment === '*'
        ? '.*'
        : segment.startsWith(':')
          ? '[^/]+'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * Remembers each route's method as Fastify registers it. Fastify answers a known path with an
 * unknown method as it answers an unknown path (404); the contract says `405`, which needs the
 * methods a path does take. Must be called before the routes are registered.
 */
export function recordRouteMethods(fastify: FastifyInstance): void {
  const routes: RouteMethod[] = [];
  routesOf.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    const pattern = patternOf(route.url);
    for (const method of [route.method].flat()) {
      // CORS answers preflights on every path (`OPTIONS *`): that makes no path known.
      if (method !== 'OPTIONS') routes.push({ pattern, method });
    }
  });
}

/** The methods some route takes at `path` (no query string). */
export function methodsAllowedAt(fastify: FastifyInstance, path: string): string[] {
  const methods = (routesOf.get(fastify) ?? [])
    .filter((route) => route.pattern.test(path))
    .map((route) => route.method);
  return [...new Set(methods)];
}
