/**
 * End-to-end, as the unprivileged test user against a registry on 127.0.0.1: `oci-mediatypes=false`
 * gives Docker schema 2 media types (manifest, config and layers), read back by skopeo, with
 * Healthcheck, OnBuild and Shell kept in the config, pulled and run by rootless podman. The stored
 * image follows `type=image,oci-mediatypes=false`, so a later `kiln push` sends Docker media types; an
 * OCI archive can hold Docker manifests too; and without the attribute everything stays OCI.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startPlainRegistry, type TestRegistry } from '../harness/registry.js';
import {
  handOver,
  type KilnAsUser,
  kilnAs,
  makeHome,
  podmanAs,
  podmanPullRun,
  pushBusyboxBase,
  skopeoConfig,
  writeTree,
} from '../helpers/build-e2e.js';
import { canRunAsTestUser } from '../helpers/cli.js';

const run = promisify(execFile);

const DOCKER = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};
const OCI = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

const HEALTHCHECK = {
  Test: ['CMD-SHELL', 'test -f /built.txt'],
  Interval: 5_000_000_000,
  Retries: 2,
};

interface RawManifest {
  readonly mediaType?: string;
  readonly config: { readonly mediaType: string; readonly digest: string };
  readonly layers: readonly { readonly mediaType: string }[];
}

/** The manifest as the source holds it (`skopeo inspect --raw`). */
async function rawManifest(image: string): Promise<RawManifest> {
  const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', image]);
  return JSON.parse(stdout) as RawManifest;
}

function assertMediaTypes(manifest: RawManifest, want: typeof DOCKER, what: string): void {
  assert.equal(manifest.mediaType, want.manifest, what);
  assert.equal(manifest.config.mediaType, want.config, what);
  assert.ok(manifest.layers.length >= 2, `${what}: base and built layers`);
  for (const layer of manifest.layers) assert.equal(layer.mediaType, want.layer, what);
}

const skip = canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)';

describe('kiln build -o …,oci-mediatypes=false: Docker schema 2 media types (unprivileged, registry, podman)', {
  skip,
  timeout: 600_000,
}, () => {
  let home: string;
  let registry: TestRegistry;
  let kiln: KilnAsUser;
  let ctx: string;
  let dockerConfigDigest = '';

  before(async () => {
    home = await makeHome('kiln-e2e-mediatypes-');
    registry = await startPlainRegistry();
    const base = await pushBusyboxBase(home, registry, 'base/busybox:1');
    ctx = join(home, 'ctx');
    await writeTree(ctx, {
      Dockerfile: [
        `FROM ${base}`,
        'SHELL ["/bin/sh", "-e", "-c"]',
        'RUN echo "built by kiln" > /built.txt',
        'HEALTHCHECK --interval=5s --retries=2 CMD test -f /built.txt',
        'ONBUILD RUN echo triggered > /onbuild.txt',
        'CMD ["cat", "/built.txt"]',
        '',
      ].join('\n'),
    });
    await handOver(home);
    kiln = kilnAs(home, join(home, 'kiln'));
  });

  after(async () => {
    await registry?.stop();
    if (home !== undefined && process.env.KILN_E2E_KEEP === undefined)
      await rm(home, { recursive: true, force: true }).catch(() => undefined);
  });

  it('type=image,oci-mediatypes=false stores Docker media types; kiln push sends them; podman runs it', async (t) => {
    const target = `${registry.host}/e2e/docker:1`;
    const started = Date.now();
    const built = await kiln([
      'build',
      '--progress',
      'plain',
      '-o',
      'type=image,oci-mediatypes=false',
      '-t',
      target,
      ctx,
    ]);
    assert.equal(built.code, 0, built.stderr);
    const pushed = await kiln(['push', target]);
    assert.equal(pushed.code, 0, pushed.stderr);
    t.diagnostic(`build + push: ${Date.now() - started} ms`);

    const manifest = await rawManifest(`docker://${target}`);
    assertMediaTypes(manifest, DOCKER, 'pushed');
    dockerConfigDigest = manifest.config.digest;
    const image = await skopeoConfig(target);
    assert.deepEqual(image.config.Healthcheck, HEALTHCHECK);
    assert.deepEqual(image.config.OnBuild, ['RUN echo triggered > /onbuild.txt']);
    assert.deepEqual(image.config.Shell, ['/bin/sh', '-e', '-c']);
    assert.deepEqual(image.config.Cmd, ['cat', '/built.txt']);

    const output = await podmanPullRun(home, target);
    assert.equal(output.trim(), 'built by kiln');
    // podman reads Healthcheck only from Docker-format configs.
    const [inspected] = JSON.parse(await podmanAs(home, ['image', 'inspect', target])) as {
      readonly ManifestType?: string;
      readonly Healthcheck?: unknown;
    }[];
    assert.ok(inspected !== undefined);
    assert.equal(inspected.ManifestType, DOCKER.manifest);
    assert.deepEqual(inspected.Healthcheck, HEALTHCHECK);
  });

  it('type=registry,oci-mediatypes=false pushes Docker media types; type=oci,oci-mediatypes=false writes them', async () => {
    const target = `${registry.host}/e2e/docker:2`;
    const archive = join(home, 'docker-types-oci.tar');
    const built = await kiln([
      'build',
      '-o',
      `type=registry,oci-mediatypes=false`,
      '-o',
      `type=oci,dest=${archive},oci-mediatypes=false`,
      '-t',
      target,
      ctx,
    ]);
    assert.equal(built.code, 0, built.stderr);
    const manifest = await rawManifest(`docker://${target}`);
    assertMediaTypes(manifest, DOCKER, 'type=registry');
    assert.equal(manifest.config.digest, dockerConfigDigest, 'the cached rebuild has the same config');
    assertMediaTypes(await rawManifest(`oci-archive:${archive}`), DOCKER, 'type=oci');
  });

  it('without the attribute pushes and OCI archives stay OCI, with the same config', async () => {
    const target = `${registry.host}/e2e/oci:1`;
    const archive = join(home, 'oci-types.tar');
    const built = await kiln(['build', '-o', `type=oci,dest=${archive}`, '-t', target, '--push', ctx]);
    assert.equal(built.code, 0, built.stderr);
    const manifest = await rawManifest(`docker://${target}`);
    assertMediaTypes(manifest, OCI, 'pushed');
    assert.equal(manifest.config.digest, dockerConfigDigest, 'the config bytes do not depend on the format');
    assertMediaTypes(await rawManifest(`oci-archive:${archive}`), OCI, 'type=oci');
    const image = await skopeoConfig(target);
    assert.deepEqual(image.config.Healthcheck, HEALTHCHECK);
    assert.deepEqual(image.config.OnBuild, ['RUN echo triggered > /onbuild.txt']);
  });

  it('image and registry outputs asking for different media types fail before building (E_USAGE)', async () => {
    const built = await kiln([
      'build',
      '-o',
      'type=image,oci-mediatypes=false',
      '-o',
      'type=registry,oci-mediatypes=true',
      '-t',
      `${registry.host}/e2e/conflict:1`,
      ctx,
    ]);
    assert.equal(built.code, 1, built.stderr);
    assert.match(built.stderr, /different oci-mediatypes= values \[E_USAGE\]/);
    assert.doesNotMatch(built.stderr, /RUN echo/);
  });
});
