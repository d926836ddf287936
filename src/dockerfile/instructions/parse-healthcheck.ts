/**
 * HEALTHCHECK NONE | [--interval --timeout --start-period --start-interval --retries] CMD command.
 */
import { handleJsonArgs } from './command-line.js';
import { parseGoDuration } from './duration.js';
import { type ParsedFlags, stringFlag } from './flags.js';
import { argError, type ErrorSite, flagSite } from './instruction-error.js';
import { baseOf, type ParseRequest, requestFlags } from './request.js';
import type { HealthcheckInstruction } from './types.js';

const MINIMUM_DURATION_NS = 1e6;

/** A duration flag: 0 when absent or zero, otherwise at least 1ms. */
export function parseOptInterval(flags: ParsedFlags, name: string, site: ErrorSite): number {
  const value = stringFlag(flags, name);
  if (value === undefined || value === '') return 0;
  const ns = parseGoDuration(value);
  if (ns === undefined) throw argError(site, `time: invalid duration ${JSON.stringify(value)} for --${name}`);
  if (ns === 0) return 0;
  if (ns < MINIMUM_DURATION_NS)
    throw argError(site, `Interval ${JSON.stringify(name)} cannot be less than 1ms`);
  return ns;
}

function parseRetries(flags: ParsedFlags, site: ErrorSite): number {
  const value = stringFlag(flags, 'retries');
  if (value === undefined || value === '') return 0;
  if (!/^[+-]?\d+$/.test(value))
    throw argError(site, `invalid value for --retries: ${JSON.stringify(value)}`);
  const retries = Number.parseInt(value, 10);
  if (retries > 2 ** 31 - 1 || retries < -(2 ** 31))
    throw argError(site, `--retries out of range (${value})`);
  if (retries < 0) throw argError(site, `--retries cannot be negative (${retries})`);
  return retries;
}

export function parseHealthcheck(req: ParseRequest): HealthcheckInstruction {
  const { node, site } = req;
  if (node.args.length === 0) throw argError(site, 'HEALTHCHECK requires at least one argument');
  const type = node.args[0]!.toUpperCase();
  const rest = node.args.slice(1);
  if (type === 'NONE') {
    if (rest.length !== 0) throw argError(site, 'HEALTHCHECK NONE takes no arguments');
    return { kind: 'healthcheck', ...baseOf(req, undefined), health: { kind: 'none' } };
  }
  const flags = requestFlags(req, {
    interval: { kind: 'string' },
    timeout: { kind: 'string' },
    'start-period': { kind: 'string' },
    'start-interval': { kind: 'string' },
    retries: { kind: 'string' },
  });
  if (type !== 'CMD') throw argError(site, `Unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`);
  const command = handleJsonArgs(rest, node.json);
  if (command.length === 0) throw argError(site, 'Missing command after HEALTHCHECK CMD');
  const base = baseOf(req, flags);
  const interval = (name: string): number => parseOptInterval(flags, name, flagSite(site, base, name));
  return {
    kind: 'healthcheck',
    ...base,
    health: {
      kind: 'cmd',
      test: [node.json ? 'CMD' : 'CMD-SHELL', ...command],
      intervalNs: interval('interval'),
      timeoutNs: interval('timeout'),
      startPeriodNs: interval('start-period'),
      startIntervalNs: interval('start-interval'),
      retries: parseRetries(flags, flagSite(site, base, 'retries')),
    },
  };
}
