import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { sha256Digest } from '../../src/oci/digest.js';
import { OciMediaType } from '../../src/oci/media-types.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { staticCredentials } from '../../src/registry/credentials/types.js';
import { getManifest } from '../../src/registry/manifests.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function serve(handler: Handler): Promise<{ host: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OciMediaType.ImageManifest,
    config: { mediaType: OciMediaType.ImageConfig, digest: sha256Digest('{}'), size: 2 },
    layers: [],
  }),
);

/** A fake token registry: tokens are `t1`, `t2`…; `accepted` decides which the registry takes. */
async function fakeTokenRegistry(accepted: (token: string) => boolean) {
  const issued: { scopes: string[]; method: string; body: string }[] = [];
  const tokens = await serve((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    issued.push({ scopes: url.searchParams.getAll('scope'), method: req.method ?? '', body });
    const token = `t${issued.length}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        req.method === 'POST' ? { access_token: token, expires_in: 120 } : { token, expires_in: 120 },
      ),
    );
  });
  const registry = await serve((req, res) => {
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (token === undefined || !accepted(token)) {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${tokens.host}/token",service="fake",scope="repository:r/app:pull"`,
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    res.writeHead(200, {
      'content-type': OciMediaType.ImageManifest,
      'docker-content-digest': sha256Digest(manifest),
    });
    res.end(manifest);
  });
  return {
    host: registry.host,
    issued,
    close: async () => {
      await registry.close();
      await tokens.close();
    },
  };
}

const ref = (registry: string) => ({ registry, repository: 'r/app', tag: '1' });

test('a token the registry rejects is replaced by a fresh one (refresh on 401)', async () => {
  const fake = await fakeTokenRegistry((token) => token !== 't1');
  const client = createRegistryClient();
  try {
    const fetched = await getManifest(client, ref(fake.host));
    assert.equal(fetched.digest, sha256Digest(manifest));
    assert.equal(fake.issued.length, 2);
    assert.deepEqual(fake.issued[0]!.scopes, ['repository:r/app:pull']);
  } finally {
    await client.close();
    await fake.close();
  }
});

test('tokens are reused until they expire, then fetched again', async () => {
  const fake = await fakeTokenRegistry(() => true);
  let now = Date.now();
  const client = createRegistryClient({ now: () => now });
  try {
    await getManifest(client, ref(fake.host));
    await getManifest(client, ref(fake.host));
    assert.equal(fake.issued.length, 1);
    now += 119_000; // past expires_in minus the safety margin
    await getManifest(client, ref(fake.host));
    assert.equal(fake.issued.length, 2);
  } finally {
    await client.close();
    await fake.close();
  }
});

test('a registry that keeps refusing tokens ends in E_REGISTRY_AUTH', async () => {
  const fake = await fakeTokenRegistry(() => false);
  const client = createRegistryClient();
  try {
    await assert.rejects(getManifest(client, ref(fake.host)), { code: ErrorCode.RegistryAuth });
    assert.ok(fake.issued.length <= 3, `bounded token requests, saw ${fake.issued.length}`);
  } finally {
    await client.close();
    await fake.close();
  }
});

test('identity tokens use the OAuth2 refresh-token POST', async () => {
  const fake = await fakeTokenRegistry(() => true);
  const client = createRegistryClient({
    credentials: staticCredentials({ [fake.host]: { kind: 'identityToken', token: 'refresh-me' } }),
  });
  try {
    await getManifest(client, ref(fake.host));
    assert.equal(fake.issued[0]!.method, 'POST');
    const form = new URLSearchParams(fake.issued[0]!.body);
    assert.equal(form.get('grant_type'), 'refresh_token');
    assert.equal(form.get('refresh_token'), 'refresh-me');
    assert.equal(form.get('scope'), 'repository:r/app:pull');
  } finally {
    await client.close();
    await fake.close();
  }
});

test('manifests above 4 MiB are refused; by-digest content must match the digest', async () => {
  const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
  const server = await serve((req, res) => {
    if ((req.url ?? '').endsWith('/big')) {
      res.writeHead(200, { 'content-type': OciMediaType.ImageManifest });
      res.end(big);
      return;
    }
    res.writeHead(200, { 'content-type': OciMediaType.ImageManifest });
    res.end(manifest);
  });
  const client = createRegistryClient();
  try {
    await assert.rejects(getManifest(client, { registry: server.host, repository: 'r/app', tag: 'big' }), {
      code: ErrorCode.TooLarge,
    });
    await assert.rejects(
      getManifest(client, {
        registry: server.host,
        repository: 'r/app',
        digest: sha256Digest('something else'),
      }),
      { code: ErrorCode.DigestMismatch },
    );
    const ok = await getManifest(client, {
      registry: server.host,
      repository: 'r/app',
      digest: sha256Digest(manifest),
    });
    assert.equal(ok.digest, sha256Digest(manifest));
  } finally {
    await client.close();
    await server.close();
  }
});
