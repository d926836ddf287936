/**
 * Values of the docker build flags that configure RUN steps and the image manifest: `--add-host`,
 * `--annotation`, `--shm-size` and `--ulimit`, read the way docker buildx reads them. Pure.
 */
import { isIP } from 'node:net';
import { ErrorCode, KilnError } from '../errors.js';
import type { ExtraHost, Ulimit } from '../plan/types.js';
import { parseSize } from './actions/parse-size.js';

function usage(flag: string, value: string, why: string, hint?: string): KilnError {
  return new KilnError(ErrorCode.Usage, `invalid ${flag} ${JSON.stringify(value)}: ${why}`, {
    ...(hint === undefined ? {} : { hint }),
  });
}

/**
 * `--add-host host:ip` (or `host=ip`, docker CLI ≥ 25); the IP may be IPv6, bracketed or not
 * (`db:::1`, `db=[::1]`). docker's special `host-gateway` has no meaning without a daemon: refused.
 */
export function parseAddHost(value: string): ExtraHost {
  const eq = value.indexOf('=');
  const sep = eq >= 0 ? eq : value.indexOf(':');
  if (sep <= 0) throw usage('--add-host', value, 'want host:ip', 'e.g. --add-host db.internal:10.0.0.5');
  const host = value.slice(0, sep);
  let ip = value.slice(sep + 1);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (/\s/.test(host)) throw usage('--add-host', value, 'the host name contains white space');
  if (ip === 'host-gateway') {
    throw usage(
      '--add-host',
      value,
      'host-gateway is not supported (kiln has no daemon gateway)',
      'give the IP address',
    );
  }
  if (isIP(ip) === 0) throw usage('--add-host', value, `${JSON.stringify(ip)} is not an IP address`);
  return { host, ip };
}

/**
 * `--annotation [manifest:]key=value`: annotations of the image manifest. kiln writes one manifest and
 * no index, so the index / descriptor types and platform-qualified forms are refused.
 */
export function parseAnnotations(values: readonly string[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw usage('--annotation', value, 'want key=value');
    let key = value.slice(0, eq);
    const colon = key.indexOf(':');
    if (colon >= 0) {
      const type = key.slice(0, colon);
      if (type !== 'manifest') {
        throw usage(
          '--annotation',
          value,
          `annotation type ${JSON.stringify(type)} is not supported`,
          'kiln writes a single image manifest (no index): use key=value or manifest:key=value',
        );
      }
      key = key.slice(colon + 1);
    }
    if (key === '') throw usage('--annotation', value, 'empty key');
    annotations[key] = value.slice(eq + 1);
  }
  return annotations;
}

/** `--shm-size 128m` (bytes, or k/m/g binary units as docker takes them). */
export function parseShmSize(value: string): number {
  try {
    return parseSize(value);
  } catch {
    throw usage('--shm-size', value, 'want a size such as 128m');
  }
}

/** The limits docker's `--ulimit` knows (go-units), which are also prlimit(1)'s option names. */
const ULIMIT_NAMES: ReadonlySet<string> = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);

/** `--ulimit name=soft[:hard]` (hard defaults to soft); a later flag for the same name replaces it. */
export function parseUlimits(values: readonly string[]): readonly Ulimit[] {
  const byName = new Map<string, Ulimit>();
  for (const value of values) {
    const match = /^([a-z]+)=(\d+)(?::(\d+))?$/.exec(value);
    if (match === null) {
      throw usage(
        '--ulimit',
        value,
        'want name=soft[:hard] with non-negative integers',
        'e.g. --ulimit nofile=1024:2048',
      );
    }
    const name = match[1]!;
    if (!ULIMIT_NAMES.has(name)) {
      throw usage(
        '--ulimit',
        value,
        `unknown limit ${JSON.stringify(name)}`,
        `use one of ${[...ULIMIT_NAMES].join(', ')}`,
      );
    }
    const soft = Number(match[2]);
    const hard = match[3] === undefined ? soft : Number(match[3]);
    if (!Number.isSafeInteger(soft) || !Number.isSafeInteger(hard))
      throw usage('--ulimit', value, 'value too large');
    if (soft > hard) throw usage('--ulimit', value, 'the soft limit is above the hard limit');
    byName.set(name, { name, soft, hard });
  }
  return [...byName.values()];
}
