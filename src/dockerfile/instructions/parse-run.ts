/**
 * RUN: `--mount` (repeatable), `--network`, `--security`, `--device` (repeatable), shell or exec form, heredocs.
 */
import { commandLine } from './command-line.js';
import { stringFlag, stringsFlag } from './flags.js';
import type { ErrorSite } from './instruction-error.js';
import { baseOf, type ParseRequest, requestFlags } from './request.js';
import { parseMount } from './run-mount.js';
import { parseDevice, parseNetworkMode, parseSecurityMode } from './run-options.js';
import type { RunInstruction, RunMount } from './types.js';

/** Parses all `--mount` values of one RUN; `expand` as in parseMount. */
export function parseMounts(
  specs: readonly string[],
  site: ErrorSite,
  expand?: (value: string) => string,
): readonly RunMount[] {
  let sshIndex = 0;
  return specs.map((spec) => {
    const mount = parseMount(spec, { site, sshIndex, ...(expand === undefined ? {} : { expand }) });
    if (mount.type === 'ssh') sshIndex += 1;
    return mount;
  });
}

export function parseRun(req: ParseRequest): RunInstruction {
  const flags = requestFlags(req, {
    mount: { kind: 'strings' },
    network: { kind: 'string' },
    security: { kind: 'string' },
    device: { kind: 'strings' },
  });
  const mountSpecs = stringsFlag(flags, 'mount');
  const network = stringFlag(flags, 'network');
  const security = stringFlag(flags, 'security');
  return {
    kind: 'run',
    ...baseOf(req, flags),
    command: commandLine(req.node),
    mounts: parseMounts(mountSpecs, req.site),
    mountSpecs,
    ...(network === undefined ? {} : { network: parseNetworkMode(network, req.site) }),
    ...(security === undefined ? {} : { security: parseSecurityMode(security, req.site) }),
    devices: stringsFlag(flags, 'device').map((d) => parseDevice(d, req.site)),
  };
}
