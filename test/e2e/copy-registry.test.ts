import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createRegistryClient } from '../../src/registry/client.js';
import { pushImage } from '../../src/registry/push.js';
import { startPlainRegistry } from '../harness/registry.js';
import { canRunAsTestUser, runKiln, TEST_USER } from '../helpers/cli.js';
import { tempStore, writeTestIndex } from '../registry/fixtures.js';

const run = promisify(execFile);

async function skopeoRaw(ref: string): Promise<Buffer> {
  const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', ref], {
    encoding: 'buffer',
  });
  return stdout as unknown as Buffer;
}

test('as an unprivileged user: kiln copy registry → oci-archive → registry → registry keeps the index digest', {
  skip: canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)',
}, async () => {
  const registry = await startPlainRegistry();
  const source = await tempStore();
  const home = await mkdtemp(join(tmpdir(), 'kiln-e2e-copy-'));
  const client = createRegistryClient();
  try {
    const { stdout: uid } = await run('id', ['-u', TEST_USER]);
    const { stdout: gid } = await run('id', ['-g', TEST_USER]);
    await chown(home, Number(uid), Number(gid));
    const { index } = await writeTestIndex(source.store, [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    await pushImage(client, {
      repository: { registry: registry.host, repository: 'e2e/src' },
      store: source.store,
      digest: index.digest,
      tags: ['1'],
    });
    const as = { user: TEST_USER, env: { HOME: home }, cwd: home };
    const archive = join(home, 'image.tar');

    const save = await runKiln(['copy', `docker://${registry.host}/e2e/src:1`, `oci-archive:${archive}`], as);
    assert.equal(save.code, 0, save.stderr);
    const back = await runKiln(
      ['copy', `oci-archive:${archive}`, `docker://${registry.host}/e2e/round:2`],
      as,
    );
    assert.equal(back.code, 0, back.stderr);
    const mount = await runKiln(
      ['copy', `docker://${registry.host}/e2e/round:2`, `docker://${registry.host}/e2e/mounted:3`],
      as,
    );
    assert.equal(mount.code, 0, mount.stderr);
    assert.match(mount.stderr, /0 blobs copied, 6 mounted/);
    for (const ref of ['e2e/round:2', 'e2e/mounted:3']) {
      const raw = await skopeoRaw(`docker://${registry.host}/${ref}`);
      assert.equal(`sha256:${createHash('sha256').update(raw).digest('hex')}`, index.digest);
    }
    // skopeo reads the archive the unprivileged user wrote
    const fromArchive = await skopeoRaw(`oci-archive:${archive}`);
    assert.equal(JSON.parse(fromArchive.toString()).manifests.length, 2);
    const { stdout: owner } = await run('stat', ['-c', '%U', archive]);
    assert.equal(owner.trim(), TEST_USER);
  } finally {
    await client.close();
    await registry.stop();
    await source.remove();
    await rm(home, { recursive: true, force: true });
  }
});
