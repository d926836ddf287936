/**
 * COPY / ADD → a file op with one copy action per source (context paths, another stage or image, an
 * HTTP download, a Git checkout, inline heredoc content); `--link` makes the copy on scratch and merges it.
 */

import type { AddInstruction, CopyInstruction } from '../dockerfile/instructions/types.js';
import type { ResolvedInstruction } from '../dockerfile/stages/types.js';
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';
import { containsWildcards, destRelativeToWorkdir, joinPath, normalizePath } from './paths.js';
import { httpFileName, parseGitSource } from './remote-sources.js';
import {
  displayText,
  locationOf,
  nextOpId,
  type PlanContext,
  progressName,
  recordedArgs,
  recordHistory,
  type StageState,
} from './stage-state.js';
import type { CopyAction, CopyFrom, FileOp, MergeOp, OpId } from './types.js';

type CopyLike = AddInstruction | CopyInstruction;

/** `COPY [--parents] [--chown=..] [--chmod=..] src... <<doc... dest` as BuildKit records it. */
export function copyCreatedBy(c: CopyLike): string {
  const words = [c.kind === 'add' ? 'ADD' : 'COPY'];
  if (c.kind === 'copy' && c.parents) words.push('--parents');
  if (c.chown !== undefined && c.chown !== '') words.push(`--chown=${c.chown}`);
  if (c.chmod !== undefined && c.chmod !== '') words.push(`--chmod=${c.chmod}`);
  words.push(
    ...c.sources.sourcePaths,
    ...c.sources.sourceContents.map((s) => `<<${s.path}`),
    c.sources.destPath,
  );
  return words.join(' ');
}

interface ActionCommon {
  readonly dest: string;
  readonly chown?: string;
  readonly chmod?: string;
  readonly createdTime?: string;
}

function baseAction(common: ActionCommon, from: CopyFrom, source: string): CopyAction {
  return {
    kind: 'copy',
    from,
    source,
    dest: common.dest,
    ...(common.chown === undefined || common.chown === '' ? {} : { chown: common.chown }),
    ...(common.chmod === undefined || common.chmod === '' ? {} : { chmod: common.chmod }),
    exclude: [],
    includePatterns: [],
    requiredPaths: [],
    unpack: false,
    followSymlinks: false,
    copyDirContentsOnly: false,
    allowWildcard: false,
    createDestPath: true,
    ...(common.createdTime === undefined ? {} : { createdTime: common.createdTime }),
  };
}

interface PathSource {
  readonly src: string;
  /** The stage/image op for COPY --from, else undefined (build context). */
  readonly fromOp?: OpId;
}

/** A local (context / stage / image) source path, with `--parents` pivot handling. */
function pathAction(c: CopyLike, common: ActionCommon, ctx: PlanContext, source: PathSource): CopyAction {
  const parents = c.kind === 'copy' && c.parents;
  let src = source.src;
  let includePatterns: string[] = [];
  let requiredPaths: string[] = [];
  if (parents) {
    const pivot = src.indexOf('/./');
    const pattern = pivot < 0 ? src : src.slice(pivot + 3);
    src = pivot < 0 ? '/' : src.slice(0, pivot);
    const normalizedPattern = normalizePath('/', pattern, false);
    includePatterns = [normalizedPattern.replace(/^\//, '')];
    if (!containsWildcards(src) && !containsWildcards(pattern)) {
      requiredPaths = [normalizePath('/', joinPath(src, pattern), false)];
    }
  }
  const sourcePath = normalizePath('/', src, false);
  const from: CopyFrom =
    source.fromOp === undefined
      ? {
          kind: 'context',
          selection: ctx.graph.selection({
            patterns: [source.src],
            excludes: c.exclude,
            parents,
            followSymlinks: true,
            allowEmptyWildcard: true,
          }),
        }
      : { kind: 'op', op: source.fromOp };
  const unpack = c.kind === 'add' ? (c.unpack ?? true) : false;
  return {
    ...baseAction(common, from, sourcePath),
    exclude: [...c.exclude],
    includePatterns,
    requiredPaths,
    unpack,
    followSymlinks: true,
    copyDirContentsOnly: true,
    allowWildcard: true,
  };
}

function remoteAction(
  c: CopyLike,
  common: ActionCommon,
  ctx: PlanContext,
  src: string,
  site: SourceLocation,
) {
  const git = parseGitSource(src);
  if (git !== undefined) {
    if (c.kind !== 'add') {
      throw new KilnError(ErrorCode.DockerfileInstruction, "source can't be a git ref for COPY", {
        location: site,
      });
    }
    const op = ctx.graph.source({
      kind: 'git',
      url: git.url,
      ...(git.ref === undefined ? {} : { ref: git.ref }),
      ...(git.subdir === undefined ? {} : { subdir: git.subdir }),
      keepGitDir: c.keepGitDir,
      ...(c.checksum === undefined || c.checksum === '' ? {} : { checksum: c.checksum }),
    });
    return baseAction(common, { kind: 'op', op }, '/');
  }
  if (c.kind !== 'add') {
    throw new KilnError(ErrorCode.DockerfileInstruction, "source can't be a URL for COPY", {
      location: site,
    });
  }
  const filename = httpFileName(src);
  const op = ctx.graph.source({
    kind: 'http',
    url: src,
    filename,
    ...(c.checksum === undefined || c.checksum === '' ? {} : { checksum: c.checksum }),
  });
  return { ...baseAction(common, { kind: 'op', op }, `/${filename}`), unpack: c.unpack ?? false };
}

/** Plans COPY/ADD: adds the file op (and merge op for --link), records history, moves the stage on. */
export function planCopy(
  state: StageState,
  resolved: ResolvedInstruction & { readonly instruction: CopyLike },
  ctx: PlanContext,
): FileOp | MergeOp {
  const c = resolved.instruction;
  const site = locationOf(ctx, c.range);
  const common: ActionCommon = {
    dest: destRelativeToWorkdir(state.image.config.WorkingDir || '/', c.sources.destPath),
    ...(c.chown === undefined ? {} : { chown: c.chown }),
    ...(c.chmod === undefined ? {} : { chmod: c.chmod }),
    ...(ctx.epoch === undefined ? {} : { createdTime: ctx.epoch }),
  };
  const ref = c.kind === 'copy' ? resolved.sources[0] : undefined;
  let fromOp: OpId | undefined;
  if (ref?.kind === 'stage') fromOp = ctx.stageResult(ref.index, site);
  else if (ref?.kind === 'image') fromOp = ctx.graph.image(ref.ref, ctx.targetPlatform);
  const actions: CopyAction[] = [];
  for (const src of c.sources.sourcePaths) {
    const remote = fromOp === undefined && (parseGitSource(src) !== undefined || /^https?:\/\//i.test(src));
    if (remote) actions.push(remoteAction(c, common, ctx, src, site));
    else actions.push(pathAction(c, common, ctx, { src, ...(fromOp === undefined ? {} : { fromOp }) }));
  }
  for (const content of c.sources.sourceContents) {
    const file = { path: normalizePath('/', content.path, false), data: content.data, mode: 0o644 };
    actions.push(baseAction(common, { kind: 'inline', file }, file.path));
  }
  const sourceOps = actions.flatMap((a) =>
    a.from.kind === 'op'
      ? [a.from.op]
      : a.from.kind === 'context'
        ? [ctx.graph.source({ kind: 'context' })]
        : [],
  );
  const link = c.link && (c.chmod === undefined || c.chmod === '');
  const name = progressName(state, displayText(c.original), resolved.onbuild);
  const usedArgs = recordedArgs(resolved.buildArgs);
  const file: FileOp = {
    kind: 'file',
    id: nextOpId(state),
    inputs: [...new Set(link ? sourceOps : [state.current, ...sourceOps])],
    stage: state.stage.index,
    name,
    range: c.range,
    usedArgs,
    ...(link ? {} : { base: state.current }),
    actions,
  };
  ctx.graph.add(file);
  let result: FileOp | MergeOp = file;
  if (link) {
    const merge: MergeOp = {
      kind: 'merge',
      id: nextOpId(state),
      inputs: [state.current, file.id],
      stage: state.stage.index,
      name: `LINK ${name}`,
      range: c.range,
      usedArgs,
    };
    ctx.graph.add(merge);
    result = merge;
  }
  const history = recordHistory(state, ctx, `${copyCreatedBy(c)} # buildkit`, false);
  state.steps.push({ instruction: c.kind, op: result.id, onbuild: resolved.onbuild, history });
  state.layerOps.push(result.id);
  state.current = result.id;
  return result;
}
