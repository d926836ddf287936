/**
 * A misbehaving HTTP reverse proxy (node:http) to put in front of a test registry: it answers some
 * requests with 5xx/429 bursts, resets connections before or in the middle of a body, truncates
 * bodies, or flips bytes — each rule a limited number of times — and forwards everything else.
 * The Host header is passed through, so registry-made URLs (upload locations) point at the proxy.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What goes wrong. */
export type Fault =
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      /** The distribution-spec error code in the JSON body (default UNAVAILABLE). */
      readonly errorCode?: string;
    }
  /** Destroy the client connection before any response. */
  | { readonly kind: 'reset' }
  /** Forward headers, send `afterBytes` of the body, then reset the connection. */
  | { readonly kind: 'reset-mid-body'; readonly afterBytes: number }
  /** Forward headers (full Content-Length), send `afterBytes` of the body, then close cleanly. */
  | { readonly kind: 'truncate'; readonly afterBytes: number }
  /** Forward everything but flip one byte of the response body at `offset`. */
  | { readonly kind: 'corrupt'; readonly offset: number };

/** Which requests a fault applies to, and how many times. */
export interface FaultRule {
  readonly method?: string;
  /** Substring of the request path (e.g. `/blobs/sha256:`). */
  readonly pathIncludes?: string;
  readonly fault: Fault;
  /** How many matching requests get the fault (default 1). */
  readonly times?: number;
}

export interface FaultProxy {
  readonly url: string;
  readonly host: string;
  /** Adds a rule; rules are checked in order. */
  addFault(rule: FaultRule): void;
  /** Removes all rules and resets the `applied` count. */
  clearFaults(): void;
  /** How many faults were applied since the last `clearFaults`. */
  readonly applied: () => number;
  /** Every request line seen (`METHOD path`). */
  readonly seen: () => readonly string[];
  stop(): Promise<void>;
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

function takeFault(rules: ActiveRule[], req: IncomingMessage): Fault | undefined {
  for (const active of rules) {
    if (active.remaining <= 0) continue;
    if (active.rule.method !== undefined && active.rule.method !== req.method) continue;
    if (active.rule.pathIncludes !== undefined && !(req.url ?? '').includes(active.rule.pathIncludes))
      continue;
    active.remaining -= 1;
    return active.rule.fault;
  }
  return undefined;
}

/** Starts the proxy on 127.0.0.1 in front of `upstream` (`http://127.0.0.1:PORT`). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const rules: ActiveRule[] = [];
  const seen: string[] = [];
  let applied = 0;
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault | undefined): void => {
    const upstreamReq = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        let sent = 0;
        upstreamRes.on('data', (chunk: Buffer) => {
          let data = chunk;
          if (fault?.kind === 'corrupt' && fault.offset >= sent && fault.offset < sent + data.length) {
            data = Buffer.from(data);
            const i = fault.offset - sent;
            data[i] = data[i]! ^ 0xff;
          }
          if (
            (fault?.kind === 'reset-mid-body' || fault?.kind === 'truncate') &&
            sent + data.length >= fault.afterBytes
          ) {
            const part = data.subarray(0, Math.max(0, fault.afterBytes - sent));
            sent += part.length;
            upstreamRes.destroy();
            res.write(part, () => {
              if (fault.kind === 'reset-mid-body') res.socket?.resetAndDestroy();
              else res.socket?.end();
            });
            return;
          }
          sent += data.length;
          res.write(data);
        });
        upstreamRes.on('end', () => res.end());
      },
    );
    upstreamReq.on('error', () => res.destroy());
    req.pipe(upstreamReq);
  };

  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const fault = takeFault(rules, req);
    if (fault !== undefined) applied += 1;
    switch (fault?.kind) {
      case 'status':
        req.resume();
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(
          JSON.stringify({ errors: [{ code: fault.errorCode ?? 'UNAVAILABLE', message: 'injected fault' }] }),
        );
        return;
      case 'reset':
        req.resume();
        req.socket.resetAndDestroy();
        return;
      default:
        forward(req, res, fault);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    addFault: (rule) => rules.push({ rule, remaining: rule.times ?? 1 }),
    clearFaults: () => {
      rules.length = 0;
      applied = 0;
    },
    applied: () => applied,
    seen: () => seen,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
