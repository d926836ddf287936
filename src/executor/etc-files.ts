/**
 * /etc/hosts, /etc/resolv.conf and /etc/hostname of a step: generated into a private temp dir and
 * bind-mounted over the rootfs' files, never written into the rootfs.
 */
import { readFile } from 'node:fs/promises';

export interface EtcFiles {
  readonly hosts: string;
  readonly resolvConf: string;
  readonly hostname: string;
}

const FALLBACK_DNS = 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n';

/** Drops loopback nameservers (unreachable from a new network namespace); falls back to public DNS. */
export function filterResolvConf(text: string, keepLoopback: boolean): string {
  const out = text
    .split('\n')
    .filter((line) => keepLoopback || !/^\s*nameserver\s+(127\.|::1\s*$|::1$)/.test(line))
    .join('\n');
  return /^\s*nameserver\s/m.test(out) ? out : `${out.trimEnd()}\n${FALLBACK_DNS}`.trimStart();
}

export interface EtcFilesOptions {
  readonly hostname: string;
  readonly extraHosts?: readonly string[];
  /** Explicit resolv.conf content; default the host's. */
  readonly resolvConf?: string;
  /** The step gets the host network (loopback resolvers keep working). */
  readonly hostNetwork: boolean;
}

/** Renders the three files (pure, apart from reading the host's resolv.conf when none is given). */
export async function renderEtcFiles(options: EtcFilesOptions): Promise<EtcFiles> {
  const hostResolv =
    options.resolvConf ?? (await readFile('/etc/resolv.conf', 'utf8').catch(() => FALLBACK_DNS));
  const hosts = [
    `127.0.0.1\tlocalhost ${options.hostname}`,
    '::1\tlocalhost ip6-localhost ip6-loopback',
    ...(options.extraHosts ?? []),
    '',
  ].join('\n');
  return {
    hosts,
    resolvConf: filterResolvConf(hostResolv, options.hostNetwork),
    hostname: `${options.hostname}\n`,
  };
}
