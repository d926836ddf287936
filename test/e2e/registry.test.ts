import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createRegistryClient } from '../../src/registry/client.js';
import { staticCredentials } from '../../src/registry/credentials/types.js';
import { pushImage } from '../../src/registry/push.js';
import { startBasicAuthRegistry } from '../harness/registry.js';
import { canRunAsTestUser, runKiln, TEST_USER } from '../helpers/cli.js';
import { tempStore, writeTestImage } from '../registry/fixtures.js';

const run = promisify(execFile);

test('as an unprivileged user: login, pull, push to another repository, logout (real CLI, real registry)', {
  skip: canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)',
}, async () => {
  const registry = await startBasicAuthRegistry({ alice: 'e2e-pass' });
  const source = await tempStore();
  const home = await mkdtemp(join(tmpdir(), 'kiln-e2e-home-'));
  const client = createRegistryClient({
    credentials: staticCredentials({
      [registry.host]: { kind: 'basic', username: 'alice', password: 'e2e-pass' },
    }),
  });
  try {
    const { stdout: uid } = await run('id', ['-u', TEST_USER]);
    const { stdout: gid } = await run('id', ['-g', TEST_USER]);
    await chown(home, Number(uid), Number(gid));
    const image = await writeTestImage(source.store, { layerSizes: [3000, 40_000] });
    await pushImage(client, {
      repository: { registry: registry.host, repository: 'e2e/source' },
      store: source.store,
      digest: image.manifest.digest,
      tags: ['1'],
    });
    const as = { user: TEST_USER, env: { HOME: home }, cwd: home };

    const login = await runKiln(['login', '-u', 'alice', '--password-stdin', registry.host], {
      ...as,
      input: 'e2e-pass\n',
    });
    assert.equal(login.code, 0, login.stderr);
    const pull = await runKiln(['pull', `${registry.host}/e2e/source:1`], as);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, new RegExp(`Digest: ${image.manifest.digest}`));
    const push = await runKiln(['push', `${registry.host}/e2e/source:1`, `${registry.host}/e2e/copy:2`], as);
    assert.equal(push.code, 0, push.stderr);
    const { stdout } = await run('skopeo', [
      'inspect',
      '--tls-verify=false',
      '--creds',
      'alice:e2e-pass',
      `docker://${registry.host}/e2e/copy:2`,
    ]);
    assert.equal((JSON.parse(stdout) as { Digest: string }).Digest, image.manifest.digest);
    const logout = await runKiln(['logout', registry.host], as);
    assert.equal(logout.code, 0, logout.stderr);
    const denied = await runKiln(['pull', `${registry.host}/e2e/source:1`], as);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /E_REGISTRY_AUTH/);
  } finally {
    await client.close();
    await registry.stop();
    await source.remove();
    await rm(home, { recursive: true, force: true });
  }
});
