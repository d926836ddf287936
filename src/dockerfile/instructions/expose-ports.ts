/**
 * EXPOSE port specs as dockerfile2llb reads them (docker's nat.ParsePortSpec): `[ip:[hostPort]:]port[-end][/proto]`.
 * The ip and host-port parts are validated and ignored; the result is the image config's `<port>/<proto>` keys.
 */
import { isIP } from 'node:net';

const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;

/** Exposed-port keys for one spec, or an error message. */
export type PortSpecResult =
  | { readonly ok: true; readonly ports: readonly string[] }
  | { readonly ok: false; readonly error: string };

function splitParts(spec: string): { ip: string; hostPort: string; containerPort: string } {
  const parts = spec.split(':');
  const n = parts.length;
  const containerPort = parts[n - 1]!;
  if (n === 1) return { ip: '', hostPort: '', containerPort };
  if (n === 2) return { ip: '', hostPort: parts[0]!, containerPort };
  return { ip: parts.slice(0, n - 2).join(':'), hostPort: parts[n - 2]!, containerPort };
}

function splitProtoPort(raw: string): { proto: string; port: string } {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return { proto: '', port: '' };
  if (parts.length === 1) return { proto: 'tcp', port: raw };
  if (parts[1] === '') return { proto: 'tcp', port: parts[0]! };
  return { proto: parts[1]!, port: parts[0]! };
}

function parsePort(raw: string): number | undefined {
  if (!/^\d+$/.test(raw)) return undefined;
  const n = Number.parseInt(raw, 10);
  return n <= 65535 ? n : undefined;
}

function parsePortRange(raw: string): { start: number; end: number } | undefined {
  const dash = raw.indexOf('-');
  if (dash < 0) {
    const port = parsePort(raw);
    return port === undefined ? undefined : { start: port, end: port };
  }
  const start = parsePort(raw.slice(0, dash));
  const end = parsePort(raw.slice(dash + 1));
  if (start === undefined || end === undefined || end < start) return undefined;
  return { start, end };
}

function checkIp(rawIp: string): string | undefined {
  if (rawIp === '') return undefined;
  let ip = rawIp;
  if (ip.startsWith('[')) {
    if (!ip.endsWith(']')) return `invalid IP address ${rawIp}`;
    ip = ip.slice(1, -1);
  }
  return isIP(ip) === 0 ? `invalid IP address: ${ip}` : undefined;
}

/** Parses one EXPOSE spec (already expanded). */
export function parsePortSpec(spec: string): PortSpecResult {
  const fail = (why: string): PortSpecResult => ({
    ok: false,
    error: `invalid port: ${JSON.stringify(spec)}: ${why}`,
  });
  const { ip, hostPort, containerPort: rawContainer } = splitParts(spec);
  const { proto: rawProto, port: containerPort } = splitProtoPort(rawContainer);
  const ipError = checkIp(ip);
  if (ipError !== undefined) return fail(ipError);
  if (containerPort === '') return fail('no port specified');
  const range = parsePortRange(containerPort);
  if (range === undefined) return fail(`invalid containerPort: ${containerPort}`);
  if (hostPort !== '') {
    const hostRange = parsePortRange(hostPort);
    if (hostRange === undefined) return fail(`invalid hostPort: ${hostPort}`);
    if (range.end - range.start !== hostRange.end - hostRange.start && range.end !== range.start) {
      return fail(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
  }
  const proto = rawProto.toLowerCase();
  if (!(PROTOCOLS as readonly string[]).includes(proto)) return fail(`invalid proto: ${proto}`);
  const ports: string[] = [];
  for (let port = range.start; port <= range.end; port += 1) ports.push(`${port}/${proto}`);
  return { ok: true, ports };
}
