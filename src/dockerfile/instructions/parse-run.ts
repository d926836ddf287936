/**
 * RUN: `--mount` (repeatable), `--network`, `--security`, `--device` (repeatable), shell or exec form, heredocs.
 */
import { commandLine } from './command-line.js';
import { stringFlag, stringsFlag } from './flags.js';
import { type ErrorSite, flagSite } from './instruction-error.js';
import { baseOf, type ParseRequest, requestFlags } from './request.js';
import { parseMount } from './run-mount.js';
import { parseDevice, parseNetworkMode, parseSecurityMode } from './run-options.js';
import type { RunInstruction, RunMount } from './types.js';

/**
 * Parses all `--mount` values of one RUN; `expand` as in parseMount. `site` is where errors point: one
 * site for all, or the site of the `index`th `--mount` flag.
 */
export function parseMounts(
  specs: readonly string[],
  site: ErrorSite | ((index: number) => ErrorSite),
  expand?: (value: string) => string,
): readonly RunMount[] {
  let sshIndex = 0;
  return specs.map((spec, index) => {
    const at = typeof site === 'function' ? site(index) : site;
    const mount = parseMount(spec, { site: at, sshIndex, ...(expand === undefined ? {} : { expand }) });
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
  const base = baseOf(req, flags);
  const at = (name: string, index = 0): ErrorSite => flagSite(req.site, base, name, index);
  return {
    kind: 'run',
    ...base,
    command: commandLine(req.node),
    mounts: parseMounts(mountSpecs, (i) => at('mount', i)),
    mountSpecs,
    ...(network === undefined ? {} : { network: parseNetworkMode(network, at('network')) }),
    ...(security === undefined ? {} : { security: parseSecurityMode(security, at('security')) }),
    devices: stringsFlag(flags, 'device').map((d, i) => parseDevice(d, at('device', i))),
  };
}
