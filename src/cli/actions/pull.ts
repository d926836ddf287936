/**
 * `kiln pull [--platform P] REFERENCE`: fetch an image into the local store and tag it.
 */
import type { Command } from 'commander';
import { defaultPlatform, parsePlatform } from '../../oci/platform.js';
import { parseReference, referenceString } from '../../oci/reference.js';
import { imageRefFrom, pullImage } from '../../registry/index.js';
import { addUntaggedImage, setImageTag } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { openRegistryClient, type RegistryCommandOptions } from './registry-command.js';
import { openCliStore } from './store-command.js';

export interface PullOptions extends RegistryCommandOptions {
  readonly platform?: string;
}

export interface PullArgs {
  readonly text: string;
  readonly options: PullOptions;
  readonly command: Command;
}

export async function pullAction(ctx: CliContext, args: PullArgs): Promise<void> {
  const { text, options, command } = args;
  const ref = parseReference(text);
  const host = defaultPlatform({ platform: process.platform, arch: process.arch });
  const platform =
    options.platform !== undefined ? parsePlatform(options.platform, { defaults: host }) : host;
  const client = await openRegistryClient(ctx, { registry: ref.domain, repository: ref.path }, options);
  const store = await openCliStore(command, ctx);
  const lease = await store.createLease();
  let fetched = 0;
  let present = 0;
  try {
    const result = await pullImage(client, {
      reference: imageRefFrom(ref),
      store,
      platform,
      lease,
      signal: ctx.signal,
      onProgress: (event) => {
        if (event.kind === 'blob-done') fetched += 1;
        if (event.kind === 'blob-skipped') present += 1;
      },
    });
    if (ref.tag !== undefined)
      await setImageTag(store, referenceString({ ...ref, digest: undefined }), result.root);
    else await addUntaggedImage(store, result.root);
    ctx.stdout.write(`${referenceString(ref)}: ${fetched} blobs downloaded, ${present} already present\n`);
    ctx.stdout.write(`Digest: ${result.root.digest}\n`);
  } finally {
    await client.close();
    await lease.release();
  }
}
