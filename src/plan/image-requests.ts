/**
 * Which base image configs `planBuild` wants (`options.baseImage`), so a caller can resolve them first:
 * the FROM images of the stages the target needs, each with the platform the stage builds for.
 */
import { reachableStages, selectTarget } from '../dockerfile/stages/targets.js';
import { type PlatformSpec, parsePlatform } from '../oci/platform.js';
import type { PlanInput } from './plan-build.js';

export interface BaseImageRequest {
  readonly ref: string;
  readonly platform: PlatformSpec;
}

const DEFAULT_PLATFORM: PlatformSpec = { os: 'linux', architecture: 'amd64', variant: '' };

/**
 * The base images (ref + platform, deduplicated, in Dockerfile order) of the stages `target` needs.
 * Images that only base-image ONBUILD triggers bring in are not known before their configs are read.
 */
export function baseImageRequests(
  input: PlanInput,
  options: { readonly target?: string; readonly platform?: PlatformSpec; readonly file?: string } = {},
): readonly BaseImageRequest[] {
  const file = options.file ?? 'Dockerfile';
  const target = selectTarget(input.stages, options.target, file);
  const wanted = options.platform ?? DEFAULT_PLATFORM;
  const out: BaseImageRequest[] = [];
  const seen = new Set<string>();
  for (const index of reachableStages(input.stages, target.index)) {
    const stage = input.stages[index]!;
    if (stage.base.kind !== 'image') continue;
    const platform =
      stage.platform === undefined ? wanted : parsePlatform(stage.platform, { defaults: wanted });
    const key = `${stage.base.ref}\u0000${platform.os}/${platform.architecture}/${platform.variant}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ref: stage.base.ref, platform });
  }
  return out;
}
