/**
 * A clear, typed error for each distribution-protocol failure of a push or pull: a proxy in front of a
 * real docker-registry answers one kind of request with the status and error code a registry would
 * send (401, 403 DENIED, 404 NAME_UNKNOWN / BLOB_UNKNOWN, 400 DIGEST_INVALID / MANIFEST_INVALID…).
 * The error must carry kiln's code, the HTTP status and the registry's code, name what was being done,
 * and nothing may be tagged after a failed manifest upload.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ErrorCode, type ErrorCodeValue, isKilnError } from '../../src/errors.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { pullImage } from '../../src/registry/pull.js';
import { pushImage } from '../../src/registry/push.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import { registrySkip, startPlainRegistry, type TestRegistry } from '../harness/registry.js';
import { type TempStore, type TestImage, tempStore, writeTestImage } from './fixtures.js';

interface ProtocolCase {
  readonly name: string;
  readonly method: string;
  readonly pathIncludes: string;
  readonly status: number;
  readonly errorCode: string;
  readonly expected: ErrorCodeValue;
}

const PUSH_CASES: readonly ProtocolCase[] = [
  ['start upload, 401 UNAUTHORIZED', 'POST', '/blobs/uploads/', 401, 'UNAUTHORIZED', ErrorCode.RegistryAuth],
  ['start upload, 403 DENIED', 'POST', '/blobs/uploads/', 403, 'DENIED', ErrorCode.RegistryDenied],
  [
    'start upload, 404 NAME_UNKNOWN',
    'POST',
    '/blobs/uploads/',
    404,
    'NAME_UNKNOWN',
    ErrorCode.RegistryNotFound,
  ],
  [
    'finish upload, 400 DIGEST_INVALID',
    'PUT',
    '/blobs/uploads/',
    400,
    'DIGEST_INVALID',
    ErrorCode.RegistryRejected,
  ],
  [
    'manifest, 400 MANIFEST_INVALID',
    'PUT',
    '/manifests/',
    400,
    'MANIFEST_INVALID',
    ErrorCode.RegistryRejected,
  ],
  [
    'manifest, 400 MANIFEST_BLOB_UNKNOWN',
    'PUT',
    '/manifests/',
    400,
    'MANIFEST_BLOB_UNKNOWN',
    ErrorCode.RegistryRejected,
  ],
  ['manifest, 403 DENIED', 'PUT', '/manifests/', 403, 'DENIED', ErrorCode.RegistryDenied],
  ['manifest, 401 UNAUTHORIZED', 'PUT', '/manifests/', 401, 'UNAUTHORIZED', ErrorCode.RegistryAuth],
].map(([name, method, pathIncludes, status, errorCode, expected]) => ({
  name,
  method,
  pathIncludes,
  status,
  errorCode,
  expected,
})) as readonly ProtocolCase[];

const PULL_CASES: readonly ProtocolCase[] = [
  {
    name: 'blob, 404 BLOB_UNKNOWN',
    method: 'GET',
    pathIncludes: '/blobs/sha256:',
    status: 404,
    errorCode: 'BLOB_UNKNOWN',
    expected: ErrorCode.RegistryNotFound,
  },
  {
    name: 'manifest, 403 DENIED',
    method: 'GET',
    pathIncludes: '/manifests/',
    status: 403,
    errorCode: 'DENIED',
    expected: ErrorCode.RegistryDenied,
  },
  {
    name: 'manifest, 401 UNAUTHORIZED',
    method: 'GET',
    pathIncludes: '/manifests/',
    status: 401,
    errorCode: 'UNAUTHORIZED',
    expected: ErrorCode.RegistryAuth,
  },
];

function isClearError(c: ProtocolCase): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(isKilnError(error), `not a KilnError: ${String(error)}`);
    assert.equal(error.code, c.expected, error.message);
    assert.ok(error instanceof RegistryError, `${error.code} is a RegistryError`);
    assert.equal(error.status, c.status);
    assert.equal(error.entries[0]?.code, c.errorCode);
    assert.match(error.message, new RegExp(`${c.errorCode}: injected fault`));
    // The message says what kiln was doing, and where.
    assert.match(error.message, /^[a-z][a-z ]+ \S*errors\/\w+\S*: registry answered HTTP \d{3} /);
    return true;
  };
}

/** Every matching request (retries included) gets the case's status and error body. */
function injectFor(proxy: FaultProxy, c: ProtocolCase): void {
  proxy.clearFaults();
  proxy.addFault({
    method: c.method,
    pathIncludes: c.pathIncludes,
    times: 50,
    fault: { kind: 'status', status: c.status, errorCode: c.errorCode },
  });
}

describe('protocol failures give clear errors', { skip: registrySkip() }, () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let src: TempStore;
  let image: TestImage;
  const retry = { retries: 2, baseDelayMs: 5, maxDelayMs: 20 };

  before(async () => {
    registry = await startPlainRegistry();
    proxy = await startFaultProxy(registry.url);
    src = await tempStore();
    image = await writeTestImage(src.store, { layerSizes: [300, 2000] });
  });
  after(async () => {
    await proxy?.stop();
    await registry?.stop();
    await src?.remove();
  });

  PUSH_CASES.forEach((c, i) => {
    test(`push: ${c.name} → ${c.expected}`, async () => {
      const repository = { registry: proxy.host, repository: `errors/push${i}` };
      injectFor(proxy, c);
      const client = createRegistryClient({ retry });
      try {
        await assert.rejects(
          pushImage(client, { repository, store: src.store, digest: image.manifest.digest, tags: ['1'] }),
          isClearError(c),
        );
        assert.ok(proxy.applied() >= 1, 'the fault was injected');
      } finally {
        proxy.clearFaults();
        await client.close();
      }
      // Nothing is tagged at the registry after a failed push.
      const tags = await fetch(`${registry.url}/v2/${repository.repository}/manifests/1`, { method: 'HEAD' });
      assert.equal(tags.status, 404);
    });
  });

  describe('pull', () => {
    before(async () => {
      const client = createRegistryClient();
      try {
        await pushImage(client, {
          repository: { registry: registry.host, repository: 'errors/pull' },
          store: src.store,
          digest: image.manifest.digest,
          tags: ['1'],
        });
      } finally {
        await client.close();
      }
    });

    for (const c of PULL_CASES) {
      test(`pull: ${c.name} → ${c.expected}`, async () => {
        injectFor(proxy, c);
        const client = createRegistryClient({ retry });
        const dst = await tempStore();
        try {
          await assert.rejects(
            pullImage(client, {
              reference: { registry: proxy.host, repository: 'errors/pull', tag: '1' },
              store: dst.store,
              platform: { os: 'linux', architecture: 'amd64' },
            }),
            isClearError(c),
          );
          for (const blob of image.layers) assert.equal(await dst.store.hasBlob(blob.digest), false);
        } finally {
          proxy.clearFaults();
          await client.close();
          await dst.remove();
        }
      });
    }
  });
});
