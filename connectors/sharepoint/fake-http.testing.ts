import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fake saw of one request. */
export interface SeenRequest {
  method: string;
  /** The decoded path, e.g. `/sites/support/_api/web/lists/getbytitle('Documents')/items`. */
  path: string;
  url: URL;
  authorization: string | undefined;
  accept: string | undefined;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export const jsonReply = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json;charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

interface Override {
  when: (request: SeenRequest) => boolean;
  reply: (request: SeenRequest) => Reply;
  times: number;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) answering through `route`, recording every request. Tests inject
 * faults with `override` (a 429, a broken body) and act between requests with `beforeRequest` (delete a file
 * right before its download).
 */
export class FakeHttpServer {
  readonly requests: SeenRequest[] = [];
  beforeRequest: ((request: SeenRequest) => void) | null = null;
  private readonly overrides: Override[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
  ) {}

  static async start(route: (request: SeenRequest) => Reply): Promise<FakeHttpServer> {
    let fake: FakeHttpServer | null = null;
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        path = url.pathname;
      }
      const request: SeenRequest = {
        method: req.method ?? 'GET',
        path,
        url,
        authorization: req.headers.authorization,
        accept: req.headers.accept,
      };
      const reply = fake ? fake.answer(request, route) : { status: 503 };
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeHttpServer(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  private answer(request: SeenRequest, route: (request: SeenRequest) => Reply): Reply {
    this.requests.push(request);
    this.beforeRequest?.(request);
    const override = this.overrides.find((o) => o.times > 0 && o.when(request));
    if (override) {
      override.times--;
      return override.reply(request);
    }
    return route(request);
  }

  /** The next `times` requests matching `when` get `reply` instead of the API's answer. */
  override(
    when: (request: SeenRequest) => boolean,
    reply: Reply | ((request: SeenRequest) => Reply),
    times = 1,
  ): void {
    this.overrides.push({ when, reply: typeof reply === 'function' ? reply : () => reply, times });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
