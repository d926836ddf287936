/**
 * RUN → an exec op: argv (SHELL, heredocs), the process environment, cwd, user, network, security,
 * mounts (targets made absolute, `from=` resolved to ops, context binds to selections), proxy env.
 */

import type { RunInstruction, RunMount } from '../dockerfile/instructions/types.js';
import type { ResolvedInstruction, SourceReference } from '../dockerfile/stages/types.js';
import { assertNever, type SourceLocation } from '../errors.js';
import { imageShell } from './config-effects.js';
import { joinPath, normalizePath } from './paths.js';
import { HEREDOC_PIPES_DIR, runArgv } from './run-argv.js';
import {
  type DeclaredArg,
  displayText,
  locationOf,
  nextOpId,
  type PlanContext,
  progressName,
  recordedArgs,
  recordHistory,
  type StageState,
  stateEnvValue,
} from './stage-state.js';
import type { ExecMount, ExecOp, ExecSettings, MountFrom, OpId } from './types.js';

/** BuildKit's runCommandString: `|N K=v ... argv` with the stage's declared ARGs (values as the env has them). */
export function runCommandString(
  argv: readonly string[],
  declared: readonly DeclaredArg[],
  lookup: (key: string) => string | undefined,
): string {
  const order: string[] = [];
  const values = new Map<string, string>();
  for (const arg of declared) {
    if (!values.has(arg.key)) order.push(arg.key);
    values.set(arg.key, lookup(arg.key) ?? arg.value ?? '');
  }
  const prefix = order.length === 0 ? [] : [`|${order.length}`, ...order.map((k) => `${k}=${values.get(k)}`)];
  return [...prefix, ...argv].join(' ');
}

/** The context below `source`, as a bind mount sees it. */
function contextSelection(ctx: PlanContext, source: string): string {
  return ctx.graph.selection({
    patterns: [source],
    excludes: [],
    parents: false,
    followSymlinks: true,
    allowEmptyWildcard: false,
  });
}

function referenceOp(ref: SourceReference, ctx: PlanContext, site: SourceLocation): MountFrom {
  switch (ref.kind) {
    case 'stage':
      return { kind: 'op', op: ctx.stageResult(ref.index, site) };
    case 'image':
      return { kind: 'op', op: ctx.graph.image(ref.ref, ctx.targetPlatform) };
    case 'context':
      return { kind: 'context', selection: contextSelection(ctx, '/') };
    default:
      return assertNever(ref, 'source reference');
  }
}

interface MountInput {
  readonly mount: RunMount;
  readonly cwd: string;
  /** The resolved `from=` of this mount, when it has one. */
  readonly from?: MountFrom;
  readonly ctx: PlanContext;
}

function absoluteTarget(target: string, cwd: string): string {
  return target.startsWith('/') ? normalizePath('/', target, false) : joinPath('/', cwd, target);
}

function planMount({ mount, cwd, from, ctx }: MountInput): ExecMount {
  switch (mount.type) {
    case 'bind': {
      const sourcePath = normalizePath('/', mount.source, false);
      const origin: MountFrom = from ?? {
        kind: 'context',
        selection: contextSelection(ctx, mount.source),
      };
      return {
        type: 'bind',
        target: absoluteTarget(mount.target, cwd),
        from: origin,
        sourcePath,
        readOnly: mount.readOnly,
      };
    }
    case 'cache':
      return {
        type: 'cache',
        target: absoluteTarget(mount.target, cwd),
        id: mount.id,
        sharing: mount.sharing,
        ...(from === undefined ? {} : { from }),
        ...(mount.source === undefined ? {} : { sourcePath: normalizePath('/', mount.source, false) }),
        readOnly: mount.readOnly,
        mode: mount.mode,
        uid: mount.uid,
        gid: mount.gid,
      };
    case 'tmpfs':
      return {
        type: 'tmpfs',
        target: absoluteTarget(mount.target, cwd),
        ...(mount.sizeBytes === undefined ? {} : { sizeBytes: mount.sizeBytes }),
      };
    case 'secret':
      return {
        type: 'secret',
        id: mount.id,
        ...(mount.target === undefined ? {} : { target: absoluteTarget(mount.target, cwd) }),
        ...(mount.env === undefined ? {} : { env: mount.env }),
        required: mount.required,
        mode: mount.mode,
        uid: mount.uid,
        gid: mount.gid,
      };
    case 'ssh':
      return {
        type: 'ssh',
        id: mount.id,
        target: absoluteTarget(mount.target, cwd),
        required: mount.required,
        mode: mount.mode,
        uid: mount.uid,
        gid: mount.gid,
      };
    default:
      return assertNever(mount, 'mount');
  }
}

function mountOps(mounts: readonly ExecMount[]): OpId[] {
  return mounts.flatMap((m) =>
    (m.type === 'bind' || m.type === 'cache') && m.from?.kind === 'op' ? [m.from.op] : [],
  );
}

/** The build-wide settings an exec op carries: only those that are set (unset ones leave keys as they were). */
function execSettings(settings: ExecSettings): ExecSettings {
  return {
    ...(settings.extraHosts === undefined || settings.extraHosts.length === 0
      ? {}
      : { extraHosts: settings.extraHosts }),
    ...(settings.shmSizeBytes === undefined ? {} : { shmSizeBytes: settings.shmSizeBytes }),
    ...(settings.ulimits === undefined || settings.ulimits.length === 0 ? {} : { ulimits: settings.ulimits }),
  };
}

/** Plans a RUN: adds the exec op, records history, moves the stage's filesystem to the op's output. */
export function planRun(
  state: StageState,
  resolved: ResolvedInstruction & { readonly instruction: RunInstruction },
  ctx: PlanContext,
): ExecOp {
  const run = resolved.instruction;
  const site = locationOf(ctx, run.range);
  const cwd = state.image.config.WorkingDir || '/';
  const { argv, inlineFiles, summary } = runArgv(run.command, {
    shell: imageShell(state.image),
    os: state.image.os,
    location: site,
  });
  const refs = [...resolved.sources];
  const mounts: ExecMount[] = run.mounts.map((mount) => {
    const hasFrom = (mount.type === 'bind' || mount.type === 'cache') && mount.from !== undefined;
    const ref = hasFrom ? refs.shift() : undefined;
    const from = ref === undefined ? undefined : referenceOp(ref, ctx, site);
    return planMount({ mount, cwd, ctx, ...(from === undefined ? {} : { from }) });
  });
  if (inlineFiles.length > 0) mounts.push({ type: 'inline', target: HEREDOC_PIPES_DIR, files: inlineFiles });
  const proxyEnv: Record<string, string> = {};
  for (const use of resolved.buildArgs) if (!use.inHistory) proxyEnv[use.name] = use.value;
  const inputs = [state.current, ...mountOps(mounts).filter((id) => id !== state.current)];
  const title = displayText(run.original) + (summary === undefined ? '' : ` (${summary})`);
  const op: ExecOp = {
    kind: 'exec',
    id: nextOpId(state),
    inputs: [...new Set(inputs)],
    stage: state.stage.index,
    name: progressName(state, title, resolved.onbuild),
    range: run.range,
    usedArgs: recordedArgs(resolved.buildArgs),
    rootfs: state.current,
    argv,
    env: [...state.stateEnv],
    cwd,
    user: state.image.config.User ?? '',
    network: run.network ?? 'default',
    security: run.security ?? 'sandbox',
    devices: run.devices,
    mounts,
    proxyEnv,
    ...execSettings(ctx.exec),
  };
  ctx.graph.add(op);
  const text = runCommandString(argv, state.declaredArgs, (key) => stateEnvValue(state, key));
  const history = recordHistory(state, ctx, `RUN ${text} # buildkit`, false);
  state.steps.push({ instruction: 'run', op: op.id, onbuild: resolved.onbuild, history });
  state.layerOps.push(op.id);
  state.current = op.id;
  return op;
}
