/**
 * How kiln reaches a registry: which scheme (plain HTTP for loopback and registries named insecure),
 * which host (Docker Hub's API host), and which TLS settings (custom CA, skip-verify).
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
// undici is loaded when the first connection is made: commands that never reach a registry skip it.
import type { Agent, Dispatcher } from 'undici';
import { ErrorCode, KilnError } from '../errors.js';

/** Transport settings of a registry client. */
export interface TransportOptions {
  /**
   * Registries (`host[:port]`) spoken to over plain HTTP, and whose TLS certificates are not verified
   * when they redirect to HTTPS. Loopback registries (`localhost`, `127.0.0.0/8`, `::1`) are always insecure.
   */
  readonly insecureRegistries?: readonly string[];
  /** Registries that must use HTTPS even though they are on loopback (tests, local TLS registries). */
  readonly tlsRegistries?: readonly string[];
  /** PEM file with extra CA certificates to trust (added to Node's bundled roots). */
  readonly caFile?: string;
  /** PEM text with extra CA certificates (same as caFile). */
  readonly caPem?: string;
  /** Do not verify TLS certificates at all (dangerous; for tests and private networks). */
  readonly skipVerify?: boolean;
  /** Connect / headers / body timeouts in milliseconds (default 30 s / 60 s / 120 s). */
  readonly connectTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  readonly bodyTimeoutMs?: number;
}

/** Docker Hub's names: the reference host and the API host. */
export const DOCKER_HUB = { reference: 'docker.io', api: 'registry-1.docker.io' } as const;

/** The host a reference's registry name is served from (`docker.io` → `registry-1.docker.io`). */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB.reference || registry === 'index.docker.io' ? DOCKER_HUB.api : registry;
}

/** Splits `host[:port]` / `[v6]:port` into the bare host (no brackets). */
export function hostOf(registry: string): string {
  if (registry.startsWith('[')) {
    const end = registry.indexOf(']');
    return end === -1 ? registry : registry.slice(1, end);
  }
  if (isIP(registry) === 6) return registry; // bare IPv6 without a port
  const colon = registry.lastIndexOf(':');
  return colon === -1 ? registry : registry.slice(0, colon);
}

/** True for `localhost`, `127.0.0.0/8` and `::1` (any port). */
export function isLoopbackRegistry(registry: string): boolean {
  const host = hostOf(registry).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Whether the registry is spoken to over plain HTTP under these options. */
export function usesPlainHttp(registry: string, options: TransportOptions): boolean {
  if (options.tlsRegistries?.includes(registry)) return false;
  return isLoopbackRegistry(registry) || (options.insecureRegistries?.includes(registry) ?? false);
}

/** `http(s)://host[:port]` for a registry name. */
export function registryBaseUrl(registry: string, options: TransportOptions): string {
  const scheme = usesPlainHttp(registry, options) ? 'http' : 'https';
  return `${scheme}://${registryApiHost(registry)}`;
}

/** The undici dispatchers of one client: one verifying TLS, one not (for insecure registries). */
export class Transport {
  readonly options: TransportOptions;
  #verifying: Promise<Agent> | undefined;
  #insecure: Promise<Agent> | undefined;

  constructor(options: TransportOptions) {
    this.options = options;
  }

  /** The dispatcher for a URL (registry API, token realm or blob storage). */
  async dispatcherFor(url: URL): Promise<Dispatcher> {
    const hostPort = url.host;
    const insecure =
      this.options.skipVerify === true ||
      ((this.options.insecureRegistries?.includes(hostPort) ?? false) &&
        !this.options.tlsRegistries?.includes(hostPort));
    if (insecure) {
      this.#insecure ??= import('undici').then(
        ({ Agent }) => new Agent({ ...this.#timeouts(), connect: { rejectUnauthorized: false } }),
      );
      return this.#insecure;
    }
    this.#verifying ??= this.#makeVerifying();
    return this.#verifying;
  }

  async #makeVerifying(): Promise<Agent> {
    let extra = this.options.caPem ?? '';
    if (this.options.caFile !== undefined) {
      try {
        extra += `\n${await readFile(this.options.caFile, 'utf8')}`;
      } catch (cause) {
        throw new KilnError(ErrorCode.Usage, `cannot read CA file ${this.options.caFile}`, { cause });
      }
    }
    const connect = extra.trim() === '' ? {} : { ca: [...rootCertificates, extra] };
    const { Agent } = await import('undici');
    return new Agent({ ...this.#timeouts(), connect });
  }

  #timeouts(): { headersTimeout: number; bodyTimeout: number; connectTimeout: number } {
    return {
      connectTimeout: this.options.connectTimeoutMs ?? 30_000,
      headersTimeout: this.options.headersTimeoutMs ?? 60_000,
      bodyTimeout: this.options.bodyTimeoutMs ?? 120_000,
    };
  }

  /** Closes the connection pools. */
  async close(): Promise<void> {
    const verifying = this.#verifying;
    this.#verifying = undefined;
    const insecure = this.#insecure;
    this.#insecure = undefined;
    await Promise.all(
      [verifying, insecure].map((agent) => agent?.then((a) => a.close()).catch(() => undefined)),
    );
  }
}
