import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per server, so tests and several servers in one process never share counters. */
export interface ServerMetrics {
  registry: Registry;
  httpRequests: Counter<'listener' | 'method' | 'route' | 'status'>;
  httpDuration: Histogram<'listener' | 'method' | 'route'>;
}

export function createMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'airdesk_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'airdesk_http_requests_total',
      help: 'HTTP requests answered, by listener, route and status code',
      labelNames: ['listener', 'method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'airdesk_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by listener and route',
      labelNames: ['listener', 'method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
