/**
 * End-to-end reproducibility: with SOURCE_DATE_EPOCH (from the environment, or --source-date-epoch),
 * two builds of the same inputs — different kiln roots, different context paths with different file
 * times, started at different times, --no-cache — give the same image digest (as the unprivileged user).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import { handOver, kilnAs, makeHome, writeTree } from '../helpers/build-e2e.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { canRunAsTestUser } from '../helpers/cli.js';

const run = promisify(execFile);

const DOCKERFILE = `FROM base:1 AS build
WORKDIR /src
COPY . .
RUN mkdir -p /out && cat app.txt > /out/app.txt && touch /out/stamp
RUN <<EOF
echo heredoc > /out/heredoc.txt
EOF

FROM base:1
COPY --from=build /out /out
ADD files.tar.gz /unpacked/
RUN echo final > /final.txt
CMD ["cat", "/out/app.txt"]
`;

const EPOCH = 1_700_000_000;

interface Metadata {
  readonly 'containerimage.digest': string;
  readonly 'containerimage.config.digest': string;
}

test('SOURCE_DATE_EPOCH: same inputs from different paths, roots and times give the same image digest', {
  skip: canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)',
  timeout: 300_000,
}, async () => {
  const home = await makeHome('kiln-e2e-repro-');
  try {
    const contexts = [join(home, 'one', 'ctx'), join(home, 'elsewhere', 'two', 'context')];
    for (const [i, ctx] of contexts.entries()) {
      await writeTree(ctx, {
        Dockerfile: DOCKERFILE,
        'app.txt': 'same content\n',
        'src/lib.txt': 'library\n',
        'tar-src/inner.txt': 'inside\n',
      });
      await run('tar', ['-C', join(ctx, 'tar-src'), '-czf', join(ctx, 'files.tar.gz'), '.']);
      await rm(join(ctx, 'tar-src'), { recursive: true });
      // Different file times in each copy of the context.
      const when = new Date(Date.UTC(2020 + i, i, 1 + i));
      for (const name of ['Dockerfile', 'app.txt', 'src/lib.txt', 'src'])
        await utimes(join(ctx, name), when, when);
    }
    const roots = [join(home, 'root-a'), join(home, 'root-b'), join(home, 'root-c')];
    for (const root of roots) await writeBusyboxImage(await openStore({ root, env: {} }), 'base:1');
    await handOver(home);

    const build = async (
      root: string,
      ctx: string,
      flags: readonly string[],
      env: Record<string, string>,
    ) => {
      const metadata = join(root, 'metadata.json');
      const result = await kilnAs(home, root)(
        ['build', '-q', '--no-cache', '--metadata-file', metadata, '-t', 'repro:1', ...flags, ctx],
        { env },
      );
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(await readFile(metadata, 'utf8')) as Metadata;
    };

    const fromEnv = await build(roots[0]!, contexts[0]!, [], { SOURCE_DATE_EPOCH: String(EPOCH) });
    // Later by more than a second: the clock differs for every timestamp the build could leak.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const fromFlag = await build(roots[1]!, contexts[1]!, ['--source-date-epoch', String(EPOCH)], {});
    assert.equal(fromFlag['containerimage.digest'], fromEnv['containerimage.digest']);
    assert.equal(fromFlag['containerimage.config.digest'], fromEnv['containerimage.config.digest']);

    // The epoch is what makes them equal: another epoch gives another image.
    const other = await build(roots[2]!, contexts[0]!, ['--source-date-epoch', String(EPOCH + 1)], {});
    assert.notEqual(other['containerimage.digest'], fromEnv['containerimage.digest']);

    const inspected = JSON.parse((await kilnAs(home, roots[0]!)(['inspect', 'repro:1'])).stdout) as {
      Created?: string;
      History: { created?: string }[];
    }[];
    const created = new Date(EPOCH * 1000).toISOString().replace('.000Z', 'Z');
    for (const entry of inspected[0]!.History.slice(1)) assert.equal(entry.created, created);
  } finally {
    if (process.env.KILN_E2E_KEEP === undefined)
      await rm(home, { recursive: true, force: true }).catch(() => undefined);
  }
});
