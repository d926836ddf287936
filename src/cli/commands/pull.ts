/**
 * `kiln pull [--platform P] REFERENCE`: fetch an image into the local store and tag it.
 */
import type { Command } from 'commander';
import { defaultPlatform, parsePlatform } from '../../oci/platform.js';
import { parseReference, referenceString } from '../../oci/reference.js';
import { imageRefFrom, pullImage } from '../../registry/index.js';
import { addUntaggedImage, setImageTag } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { openRegistryClient, type RegistryCommandOptions, withRegistryOptions } from './registry-command.js';
import { openCliStore } from './store-command.js';

interface PullOptions extends RegistryCommandOptions {
  readonly platform?: string;
}

export function register(program: Command, ctx: CliContext): void {
  withRegistryOptions(
    program
      .command('pull')
      .description('Pull an image from a registry into the local store')
      .argument('<reference>', 'image reference, e.g. alpine:3.20 or localhost:5000/app@sha256:…')
      .option(
        '--platform <os/arch[/variant]>',
        'platform to pull from a multi-platform image (default: host)',
      ),
  ).action(async (text: string, options: PullOptions, command: Command) => {
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
  });
}
