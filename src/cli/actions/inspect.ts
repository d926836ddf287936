/**
 * `kiln inspect REF...`: a JSON array describing each image, in the spirit of `docker image inspect`.
 */
import type { Command } from 'commander';
import { isKilnError } from '../../errors.js';
import { parsePlatform } from '../../oci/platform.js';
import { type ResolvedImage, resolveImage } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { renderError } from '../render-error.js';
import { openCliStore } from './store-command.js';

export interface InspectOptions {
  readonly platform?: string;
}

/** The JSON document `kiln inspect` prints for one image. */
export function describeImage(image: ResolvedImage): Record<string, unknown> {
  const { config, manifest } = image;
  return {
    Id: image.root.digest,
    RepoTags: image.tags,
    MediaType: image.root.mediaType,
    ...(image.index !== undefined ? { Manifest: image.manifestDescriptor.digest } : {}),
    Created: config.created,
    Author: config.author,
    Architecture: config.architecture,
    Os: config.os,
    ...(config.variant !== undefined ? { Variant: config.variant } : {}),
    Size: manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
    Config: config.config ?? {},
    ConfigDigest: manifest.config.digest,
    RootFS: { Type: config.rootfs.type, Layers: config.rootfs.diff_ids },
    Layers: manifest.layers,
    History: config.history ?? [],
    Annotations: manifest.annotations ?? {},
  };
}

export interface InspectArgs {
  readonly refs: readonly string[];
  readonly options: InspectOptions;
  readonly command: Command;
}

export async function inspectAction(ctx: CliContext, args: InspectArgs): Promise<void> {
  const { refs, options, command } = args;
  const store = await openCliStore(command, ctx);
  const platform = options.platform !== undefined ? parsePlatform(options.platform) : undefined;
  const found: Record<string, unknown>[] = [];
  for (const ref of refs) {
    try {
      found.push(describeImage(await resolveImage(store, ref, platform ? { platform } : {})));
    } catch (error) {
      if (!isKilnError(error)) throw error;
      ctx.stderr.write(renderError(error, { verbose: false }));
      ctx.setExitCode(1);
    }
  }
  ctx.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
}
