/**
 * The library API as another tool embeds it: a small program that `import`s the package `kiln` (from
 * its own node_modules, as a dependency would be installed), enters kiln's user namespace as README
 * says, and calls `build(options, { signal, onEvent })` — run as the unprivileged test user. Checked:
 * the result (digests, tags, step counts) against skopeo reading the store, the progress events, a
 * cached second call, and an abort through the signal while a RUN is running.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import { handOver, makeHome, writeTree } from '../helpers/build-e2e.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { canRunAsTestUser } from '../helpers/cli.js';
import { installLibraryTool } from '../helpers/library-tool.js';

const run = promisify(execFile);

/** The embedding tool (after the namespace preamble): `tool.mjs ROOT CONTEXT TAG [abort]`; prints one JSON line. */
const TOOL = `import { build } from 'kiln';

const [storeRoot, path, tag, mode] = process.argv.slice(2);
const controller = new AbortController();
const kinds = {};
const names = [];
try {
  const result = await build(
    { context: { kind: 'dir', path }, tags: [tag], storeRoot, env: process.env, buildArgs: { WHO: 'library' } },
    {
      signal: controller.signal,
      onEvent: (event) => {
        kinds[event.kind] = (kinds[event.kind] ?? 0) + 1;
        if (event.kind === 'vertex-start') names.push(event.name);
        if (mode === 'abort' && event.kind === 'vertex-log') controller.abort(new Error('stopped by the tool'));
      },
    },
  );
  const { imageDigest, configDigest, tags, steps, cachedSteps, config } = result;
  console.log(JSON.stringify({ imageDigest, configDigest, tags, steps, cachedSteps, cmd: config.config?.Cmd, kinds, names }));
} catch (error) {
  console.log(JSON.stringify({ error: { code: error.code, message: error.message }, kinds }));
}
`;

interface ToolOutput {
  readonly imageDigest?: string;
  readonly configDigest?: string;
  readonly tags?: string[];
  readonly steps?: number;
  readonly cachedSteps?: number;
  readonly cmd?: string[];
  readonly kinds: Record<string, number>;
  readonly names?: string[];
  readonly error?: { readonly code: string; readonly message: string };
}

test('build(options, { signal, onEvent }) imported from the package entry by another program, unprivileged', {
  skip: canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)',
  timeout: 300_000,
}, async () => {
  const home = await makeHome('kiln-e2e-lib-');
  try {
    const tool = await installLibraryTool(home, TOOL);
    const root = join(home, 'kiln');
    await writeBusyboxImage(await openStore({ root, env: {} }), 'busybox:latest');
    const ctx = join(home, 'ctx');
    await writeTree(ctx, {
      Dockerfile:
        'FROM busybox\nARG WHO\nRUN echo "built by $WHO" > /who.txt\nCOPY note.txt /\nCMD ["cat", "/who.txt"]\n',
      'note.txt': 'note\n',
    });
    const slow = join(home, 'slow');
    await writeTree(slow, { Dockerfile: 'FROM busybox\nRUN echo started; sleep 120; echo finished\n' });
    await handOver(home);

    const useTool = (context: string, tag: string, mode = '') => tool<ToolOutput>(root, context, tag, mode);

    const first = await useTool(ctx, 'tool/app:1');
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    assert.match(first.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(first.tags, ['docker.io/tool/app:1']);
    assert.deepEqual(first.cmd, ['cat', '/who.txt']);
    assert.equal(first.steps, 2);
    assert.equal(first.cachedSteps, 0);
    assert.equal(first.kinds['build-start'], 1);
    assert.equal(first.kinds['build-done'], 1);
    assert.ok((first.kinds['vertex-done'] ?? 0) >= 2);
    assert.ok(first.names?.some((n) => n.includes('RUN echo "built by $WHO"')));

    // skopeo reads kiln's store (an OCI layout) and finds the same manifest under the tag.
    const { stdout } = await run('skopeo', ['inspect', `oci:${join(root, 'store')}:docker.io/tool/app:1`]);
    assert.equal((JSON.parse(stdout) as { Digest: string }).Digest, first.imageDigest);

    const second = await useTool(ctx, 'tool/app:1');
    assert.equal(second.imageDigest, first.imageDigest);
    assert.equal(second.cachedSteps, 2);
    assert.equal(second.kinds['vertex-cached'], 2);

    const aborted = await useTool(slow, 'tool/slow:1', 'abort');
    assert.equal(aborted.error?.code, 'E_ABORTED', JSON.stringify(aborted));
    assert.equal(aborted.kinds['build-error'], 1);
  } finally {
    await rm(home, { recursive: true, force: true }).catch(() => undefined);
  }
});
