/**
 * Parsers for the instructions without interesting flags: MAINTAINER USER WORKDIR STOPSIGNAL VOLUME EXPOSE
 * ENV LABEL ARG SHELL CMD ENTRYPOINT.
 */
import { commandLine, handleJsonArgs } from './command-line.js';
import { argError } from './instruction-error.js';
import { baseOf, type ParseRequest, requestFlags } from './request.js';
import type {
  ArgDeclaration,
  ArgInstruction,
  CmdInstruction,
  EntrypointInstruction,
  EnvInstruction,
  ExposeInstruction,
  KeyValuePair,
  LabelInstruction,
  MaintainerInstruction,
  ShellInstruction,
  StopsignalInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from './types.js';

function exactlyOne(req: ParseRequest): string {
  if (req.node.args.length !== 1) throw argError(req.site, `${req.name} requires exactly one argument`);
  return req.node.args[0]!;
}

function atLeastOne(req: ParseRequest): void {
  if (req.node.args.length === 0) throw argError(req.site, `${req.name} requires at least one argument`);
}

/** The doc comment for `name`: the first preceding comment line starting with `name ` (prefix stripped). */
export function docComment(comments: readonly string[], name: string | undefined): string {
  if (name === undefined || name === '') return '';
  const prefix = `${name} `;
  const line = comments.find((c) => c.startsWith(prefix));
  return line === undefined ? '' : line.slice(prefix.length);
}

export function parseMaintainer(req: ParseRequest): MaintainerInstruction {
  const flags = requestFlags(req);
  const maintainer = exactlyOne(req);
  return { kind: 'maintainer', ...baseOf(req, flags), maintainer };
}

export function parseUser(req: ParseRequest): UserInstruction {
  const flags = requestFlags(req);
  const user = exactlyOne(req);
  return { kind: 'user', ...baseOf(req, flags), user };
}

export function parseWorkdir(req: ParseRequest): WorkdirInstruction {
  const flags = requestFlags(req);
  const path = exactlyOne(req);
  return { kind: 'workdir', ...baseOf(req, flags), path };
}

export function parseStopsignal(req: ParseRequest): StopsignalInstruction {
  const flags = requestFlags(req);
  const signal = exactlyOne(req);
  return { kind: 'stopsignal', ...baseOf(req, flags), signal };
}

export function parseVolume(req: ParseRequest): VolumeInstruction {
  atLeastOne(req);
  const flags = requestFlags(req);
  const volumes = req.node.args.map((v) => v.trim());
  if (volumes.some((v) => v === '')) throw argError(req.site, 'VOLUME specified can not be an empty string');
  return { kind: 'volume', ...baseOf(req, flags), volumes };
}

export function parseExpose(req: ParseRequest): ExposeInstruction {
  atLeastOne(req);
  const flags = requestFlags(req);
  const ports = [...req.node.args].sort();
  return { kind: 'expose', ...baseOf(req, flags), ports };
}

/** ENV/LABEL arguments come as (key, value, separator) triples. */
function keyValuePairs(req: ParseRequest): readonly KeyValuePair[] {
  const args = req.node.args;
  if (args.length === 0) throw argError(req.site, `${req.name} requires at least one argument`);
  if (args.length % 3 !== 0) throw argError(req.site, `Bad input to ${req.name}, too many arguments`);
  const pairs: KeyValuePair[] = [];
  for (let i = 0; i < args.length; i += 3) {
    const key = args[i]!;
    if (key === '') throw argError(req.site, `${req.name} names can not be blank`);
    pairs.push({ key, value: args[i + 1]!, legacy: args[i + 2] !== '=' });
  }
  return pairs;
}

export function parseEnv(req: ParseRequest): EnvInstruction {
  const flags = requestFlags(req);
  return { kind: 'env', ...baseOf(req, flags), env: keyValuePairs(req) };
}

export function parseLabel(req: ParseRequest): LabelInstruction {
  const flags = requestFlags(req);
  return { kind: 'label', ...baseOf(req, flags), labels: keyValuePairs(req) };
}

export function parseArg(req: ParseRequest): ArgInstruction {
  atLeastOne(req);
  const flags = requestFlags(req);
  const args: ArgDeclaration[] = req.node.args.map((word) => {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    if (key === '') throw argError(req.site, 'ARG names can not be blank');
    const comment = docComment(req.node.comments, key);
    return eq < 0 ? { key, comment } : { key, value: word.slice(eq + 1), comment };
  });
  return { kind: 'arg', ...baseOf(req, flags), args };
}

export function parseShell(req: ParseRequest): ShellInstruction {
  const flags = requestFlags(req);
  const shell = handleJsonArgs(req.node.args, req.node.json);
  if (shell.length === 0) throw argError(req.site, 'SHELL requires at least one argument');
  if (!req.node.json) throw argError(req.site, 'SHELL requires the arguments to be in JSON form');
  return { kind: 'shell', ...baseOf(req, flags), shell };
}

export function parseCmd(req: ParseRequest): CmdInstruction {
  const flags = requestFlags(req);
  return { kind: 'cmd', ...baseOf(req, flags), command: commandLine(req.node) };
}

export function parseEntrypoint(req: ParseRequest): EntrypointInstruction {
  const flags = requestFlags(req);
  return { kind: 'entrypoint', ...baseOf(req, flags), command: commandLine(req.node) };
}
