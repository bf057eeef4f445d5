// A loopback HTTP forwarder in front of Azurite that can fail chosen requests the way networks and
// overloaded services do: answer 503 instead of forwarding, or forward and then cut the connection before
// the client sees the reply (the request landed but its outcome is unknown to the client).

import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with one request. */
export type ProxyAction = 'forward' | 'drop-after-forward' | { readonly status: number; readonly code?: string };

export interface AzuriteProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Requests seen so far (method, path with query, selected headers). */
  readonly seen: { method: string; url: string; ifNoneMatch?: string }[];
  /** Decides each request's fate; default: forward everything. */
  decide: (req: IncomingMessage, index: number) => ProxyAction;
  close(): Promise<void>;
}

export async function startAzuriteProxy(upstream: string): Promise<AzuriteProxy> {
  const target = new URL(upstream);
  const seen: AzuriteProxy['seen'] = [];
  const proxy: { decide: AzuriteProxy['decide'] } = { decide: () => 'forward' };
  const server: Server = createServer((req, res) => {
    const index = seen.length;
    const inm = req.headers['if-none-match'];
    seen.push({ method: req.method ?? '', url: req.url ?? '', ...(typeof inm === 'string' ? { ifNoneMatch: inm } : {}) });
    const action = proxy.decide(req, index);
    if (typeof action === 'object') {
      // Drain the body first so the client is not left writing into a closed socket.
      req.resume();
      req.on('end', () => {
        const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${action.code ?? 'ServerBusy'}</Code><Message>injected by the test proxy</Message></Error>`;
        res.writeHead(action.status, { 'content-type': 'application/xml', 'x-ms-error-code': action.code ?? 'ServerBusy', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      return;
    }
    const up = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        if (action === 'drop-after-forward') {
          // The upstream has acted on the request; the client only sees a reset connection.
          upRes.resume();
          upRes.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    get decide() {
      return proxy.decide;
    },
    set decide(fn) {
      proxy.decide = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
