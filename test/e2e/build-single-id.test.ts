/**
 * End-to-end: `kiln build` as a user without subordinate ids (single-id fallback). RUN's chown is
 * emulated by kiln-idshift: GNU tar shows the owners in the layer, and a later RUN step sees them
 * through stat and `ls -n`, as it would with a subordinate range.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import { findProgram } from '../../src/userns/prerequisites.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { canRunAsTestUser, runKiln, TEST_USER_NO_SUBIDS } from '../helpers/cli.js';

const run = promisify(execFile);

const DOCKERFILE = `FROM busybox
RUN echo data > /f && chown 1000:1000 /f && mkdir /d && chown 2:3 /d && chmod 2775 /d
RUN ls -ln /f | awk '{print $3":"$4}' > /seen && stat -c %u:%g /d >> /seen && chown 5:6 /seen
`;

function blob(root: string, digest: string): string {
  return join(root, 'store', 'blobs', 'sha256', digest.slice('sha256:'.length));
}

async function layerListing(root: string, digest: string): Promise<string[]> {
  const { stdout } = await run('tar', ['--numeric-owner', '-tvf', blob(root, digest)]);
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      return `${fields[0]} ${fields[1]} ${fields.at(-1)}`;
    });
}

const cc = await findProgram('cc', process.env.PATH);
const skip = !canRunAsTestUser(TEST_USER_NO_SUBIDS)
  ? 'needs root and the kilntest-noid user (scripts/setup-host.sh)'
  : cc === undefined
    ? 'no C compiler (cc): kiln-idshift cannot be built (apt-get install gcc libc6-dev)'
    : false;

test('kiln build without subordinate ids: RUN chown lands in the layer and later steps see it', {
  skip,
  timeout: 300_000,
}, async () => {
  const home = await mkdtemp(join(tmpdir(), 'kiln-build-idshift-'));
  try {
    const { stdout: uid } = await run('id', ['-u', TEST_USER_NO_SUBIDS]);
    await chmod(home, 0o755);
    const root = join(home, 'kiln');
    await writeBusyboxImage(await openStore({ root, env: {} }), 'busybox:latest');
    const context = join(home, 'ctx');
    await mkdir(context);
    await writeFile(join(context, 'Dockerfile'), DOCKERFILE);
    await run('chown', ['-R', `${uid.trim()}:${uid.trim()}`, home]);
    const kiln = (args: readonly string[]) =>
      runKiln(['--root', root, ...args], { user: TEST_USER_NO_SUBIDS, env: { HOME: home }, cwd: home });
    const result = await kiln(['build', '--progress', 'plain', '-t', 'idshift:1', context]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /E_IDSHIFT|cannot chown|could not be recorded/);
    // compiled once into kiln's root, keyed by the source hash
    assert.match((await readdir(join(root, 'helpers'))).join(' '), /^kiln-idshift-[0-9a-f]{16}$/);
    const [image] = JSON.parse((await kiln(['inspect', 'idshift:1'])).stdout) as {
      Layers: { digest: string }[];
    }[];
    const [, chowned, later] = image!.Layers;
    assert.deepEqual(await layerListing(root, chowned!.digest), [
      'drwxrwsr-x 2/3 d/',
      '-rw-r--r-- 1000/1000 f',
    ]);
    assert.deepEqual(await layerListing(root, later!.digest), ['-rw-r--r-- 5/6 seen']);
    const { stdout: seen } = await run('tar', ['-xOf', blob(root, later!.digest), 'seen']);
    assert.equal(seen, '1000:1000\n2:3\n');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
