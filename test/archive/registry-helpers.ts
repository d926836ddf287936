/**
 * Helpers for registry transport tests: the CLI run in-process with a controlled environment, skopeo
 * inspection of what a registry holds, and a plain TCP forwarder that exposes a loopback registry on a
 * non-loopback address (to exercise the plain-HTTP-vs-HTTPS decision for real).
 */
import { execFile } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli/main.js';
import { sha256Digest } from '../../src/oci/digest.js';

const run = promisify(execFile);

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `kiln --root ROOT ARGS…` in this process with exactly `env`. */
export async function kilnIn(
  root: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.end();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli({
    argv: ['--root', root, ...args],
    context: { stdout, stderr, stdin, env: { ...env }, cwd: root, signal: new AbortController().signal },
  });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/**
 * The sha256 of the raw manifest or index skopeo fetches for `TRANSPORT REF` (default `docker://`,
 * plain HTTP allowed).
 */
export async function skopeoRawDigest(ref: string, transport = 'docker://'): Promise<string> {
  const tls = transport === 'docker://' ? ['--tls-verify=false'] : [];
  const { stdout } = await run('skopeo', ['inspect', '--raw', ...tls, `${transport}${ref}`], {
    encoding: 'buffer',
  });
  return sha256Digest(stdout as unknown as Buffer);
}

/** skopeo's `Digest` of `docker://REF`. */
export async function skopeoDigest(ref: string): Promise<string> {
  const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`]);
  return (JSON.parse(stdout) as { Digest: string }).Digest;
}

/** A non-loopback IPv4 address of this host, if it has one. */
export function externalIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return undefined;
}

export interface Forwarder {
  /** `ADDRESS:PORT` */
  readonly host: string;
  stop(): Promise<void>;
}

/** Listens on `address` (random port) and forwards every TCP connection to `target` (`host:port`). */
export async function startForwarder(address: string, target: string): Promise<Forwarder> {
  const [targetHost, targetPort] = [
    target.slice(0, target.lastIndexOf(':')),
    target.slice(target.lastIndexOf(':') + 1),
  ];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(targetPort), targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `${address}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
