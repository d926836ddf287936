/**
 * `kiln images [--digests] [-q] [--format json]`: the images in the local store.
 */
import type { Command } from 'commander';
import { ErrorCode, KilnError } from '../../errors.js';
import { parseReference, referenceName } from '../../oci/reference.js';
import { type ImageSummary, listImages } from '../../store/index.js';
import type { CliContext } from '../context.js';
import {
  formatAge,
  formatSize,
  formatTable,
  openCliStore,
  shortId,
  shortRepository,
} from './store-command.js';

export interface ImagesOptions {
  readonly digests?: boolean;
  readonly quiet?: boolean;
  readonly format?: string;
}

export interface ImagesArgs {
  readonly repository: string | undefined;
  readonly options: ImagesOptions;
  readonly command: Command;
}

export async function imagesAction(ctx: CliContext, args: ImagesArgs): Promise<void> {
  const { repository, options, command } = args;
  if (options.format !== 'table' && options.format !== 'json') {
    throw new KilnError(
      ErrorCode.Usage,
      `unknown --format ${JSON.stringify(options.format)} (use table or json)`,
    );
  }
  const store = await openCliStore(command, ctx);
  const images = filterImages(await listImages(store), repository);
  if (options.quiet) {
    const ids = [...new Set(images.map((i) => (options.digests ? i.id : shortId(i.id))))];
    ctx.stdout.write(ids.map((id) => `${id}\n`).join(''));
    return;
  }
  if (options.format === 'json') {
    ctx.stdout.write(`${JSON.stringify(images, null, 2)}\n`);
    return;
  }
  const now = Date.now();
  const header = ['REPOSITORY', 'TAG', ...(options.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
  const rows = images.map((image) => [
    image.repository !== undefined ? shortRepository(image.repository) : '<none>',
    image.tag ?? '<none>',
    ...(options.digests ? [image.id] : []),
    shortId(image.id),
    formatAge(image.created, now),
    image.size !== undefined ? formatSize(image.size) : 'N/A',
  ]);
  ctx.stdout.write(formatTable([header, ...rows]));
}

/** Keeps the images of `repository[:tag]` (all when undefined). */
export function filterImages(
  images: readonly ImageSummary[],
  repository: string | undefined,
): readonly ImageSummary[] {
  if (repository === undefined) return images;
  const wanted = parseReference(repository, { defaultTag: false });
  const name = referenceName(wanted);
  return images.filter((i) => i.repository === name && (wanted.tag === undefined || i.tag === wanted.tag));
}
