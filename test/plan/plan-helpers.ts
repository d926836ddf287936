/**
 * Test helpers: Dockerfile text → plan, and small finders over a plan.
 */
import { checkDockerfile } from '../../src/dockerfile/stages/index.js';
import type { ImageConfig } from '../../src/oci/types.js';
import { type BuildPlan, type Op, type PlanOptions, planBuild } from '../../src/plan/index.js';

export interface TestPlanOptions extends PlanOptions {
  /** Base image configs by ref. */
  readonly images?: Readonly<Record<string, ImageConfig>>;
}

/** Parses, resolves and plans `text`. */
export function plan(text: string, options: TestPlanOptions = {}): BuildPlan {
  const { images, ...rest } = options;
  const resolved = checkDockerfile(text, {
    ...(options.target === undefined ? {} : { target: options.target }),
    ...(options.buildArgs === undefined ? {} : { buildArgs: options.buildArgs }),
  });
  return planBuild(resolved, {
    ...rest,
    ...(images === undefined ? {} : { baseImage: (ref: string) => images[ref] }),
  });
}

/** An image config for `baseImage` tests. */
export function imageConfig(config: ImageConfig['config'], extra: Partial<ImageConfig> = {}): ImageConfig {
  return {
    architecture: 'amd64',
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: [] },
    history: [],
    ...extra,
  };
}

export function opsOfKind<K extends Op['kind']>(p: BuildPlan, kind: K): Extract<Op, { kind: K }>[] {
  return p.ops.filter((o): o is Extract<Op, { kind: K }> => o.kind === kind);
}

export function opById(p: BuildPlan, id: string): Op {
  const op = p.ops.find((o) => o.id === id);
  if (op === undefined) throw new Error(`no op ${id}`);
  return op;
}

/** `created_by` of the target image's history entries. */
export function createdBy(p: BuildPlan): string[] {
  return (p.image.history ?? []).map((h) => h.created_by ?? '');
}

export const SHA_A = `sha256:${'a'.repeat(64)}`;
export const SHA_B = `sha256:${'b'.repeat(64)}`;
export const SHA_C = `sha256:${'c'.repeat(64)}`;
