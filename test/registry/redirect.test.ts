import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { sha256Digest } from '../../src/oci/digest.js';
import { OciMediaType } from '../../src/oci/media-types.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { staticCredentials } from '../../src/registry/credentials/types.js';
import { pullImage } from '../../src/registry/pull.js';
import { blobDigest, tempStore } from './fixtures.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('blob redirects are followed; Authorization goes to the same origin only', async () => {
  const layer = Buffer.from('layer bytes '.repeat(1000));
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const layerDigest = sha256Digest(layer);
  const configDigest = sha256Digest(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OciMediaType.ImageManifest,
      config: { mediaType: OciMediaType.ImageConfig, digest: configDigest, size: config.length },
      layers: [{ mediaType: OciMediaType.ImageLayerGzip, digest: layerDigest, size: layer.length }],
    }),
  );
  const storageHeaders: IncomingHttpHeaders[] = [];
  const storage = createServer((req, res) => {
    storageHeaders.push(req.headers);
    res.writeHead(200, { 'content-length': String(layer.length) }).end(layer);
  });
  const storageHost = await listen(storage);
  const expectedAuth = `Basic ${Buffer.from('u:p').toString('base64')}`;
  const sameOriginAuth: (string | undefined)[] = [];
  const registry = createServer((req, res) => {
    if (req.headers.authorization !== expectedAuth) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
      return;
    }
    const url = req.url ?? '';
    if (url === '/v2/') res.writeHead(200).end('{}');
    else if (url.includes('/manifests/')) {
      res.writeHead(200, {
        'content-type': OciMediaType.ImageManifest,
        'content-length': String(manifest.length),
      });
      res.end(manifest);
    } else if (url.endsWith(`/blobs/${layerDigest}`)) {
      res.writeHead(307, { location: `http://${storageHost}/bucket/layer?sig=abc` }).end();
    } else if (url.endsWith(`/blobs/${configDigest}`)) {
      res.writeHead(302, { location: '/local-storage/config' }).end();
    } else if (url === '/local-storage/config') {
      sameOriginAuth.push(req.headers.authorization);
      res.writeHead(200, { 'content-length': String(config.length) }).end(config);
    } else res.writeHead(404).end();
  });
  const registryHost = await listen(registry);
  const store = await tempStore();
  const client = createRegistryClient({
    credentials: staticCredentials({ [registryHost]: { kind: 'basic', username: 'u', password: 'p' } }),
  });
  try {
    await pullImage(client, {
      reference: { registry: registryHost, repository: 'r/app', tag: '1' },
      store: store.store,
      platform: { os: 'linux', architecture: 'amd64' },
    });
    assert.equal(await blobDigest(store.store, layerDigest), layerDigest);
    assert.equal(await blobDigest(store.store, configDigest), configDigest);
    assert.equal(storageHeaders.length, 1);
    assert.equal(storageHeaders[0]!.authorization, undefined, 'no credentials sent to blob storage');
    assert.deepEqual(sameOriginAuth, [expectedAuth]);
  } finally {
    await client.close();
    await store.remove();
    registry.closeAllConnections();
    storage.closeAllConnections();
    await Promise.all([new Promise((r) => registry.close(r)), new Promise((r) => storage.close(r))]);
  }
});
