import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { forgetLeakedSteps, leakSteps } from '../../src/build/leak-steps.js';
import type { Digest } from '../../src/oci/digest.js';
import { computeCacheKeys } from '../../src/plan/index.js';
import { scanForSecrets, secretLeakError } from '../../src/secrets/index.js';
import { openCacheIndex } from '../../src/solver/cache-index.js';
import type { LayerResult } from '../../src/worker/types.js';
import { plan, SHA_A, SHA_B } from '../plan/plan-helpers.js';

const DOCKERFILE = `FROM scratch
ARG V
RUN --mount=type=secret,id=tok cp /run/secrets/tok /x
RUN true
LABEL a=$V
RUN echo done
`;

function layer(diffID: string, emptyLayer = false): LayerResult {
  return { diffID: diffID as Digest, size: 1, emptyLayer, createdAt: '2024-01-01T00:00:00Z' };
}

describe('leakSteps', () => {
  it('names the step of each non-empty layer and of each history entry', () => {
    const p = plan(DOCKERFILE, { buildArgs: { V: 'value' } });
    const built = [layer(SHA_A), layer(SHA_B, true), layer(`sha256:${'c'.repeat(64)}`)];
    const steps = leakSteps(p, built, 'Dockerfile');
    assert.deepEqual(
      steps.layers.map((l) => [l.diffID, l.step?.location?.range.start.line]),
      [
        [SHA_A, 3],
        [`sha256:${'c'.repeat(64)}`, 6],
      ],
    );
    assert.match(steps.layers[0]!.step!.name, /RUN --mount=type=secret,id=tok cp/);
    const lines = steps.historySteps.map((s) => s?.location?.range.start.line);
    assert.deepEqual(lines, [2, 3, 4, 5, 6]);
  });

  it('an attributed leak report names the step, points at its line and masks its name', async () => {
    const p = plan(DOCKERFILE, { buildArgs: { V: 'topsecret-label' } });
    const steps = leakSteps(p, [layer(SHA_A), layer(SHA_B), layer(`sha256:${'c'.repeat(64)}`)], 'Dockerfile');
    const leaks = await scanForSecrets({
      secrets: [{ id: 'tok', value: Buffer.from('topsecret-label') }],
      layers: [],
      config: Buffer.from(JSON.stringify({ config: { Labels: { a: 'topsecret-label' } } })),
      history: p.image.history ?? [],
    });
    const error = secretLeakError(leaks, {
      layerStep: (i) => steps.layers[i]?.step,
      historyStep: (i) => steps.historySteps[i],
      mask: (text) => text.replaceAll('topsecret-label', '****'),
    });
    assert.ok(!error.message.includes('topsecret-label'), error.message);
    assert.match(error.message, /secret tok \(raw\) in config \(config\.Labels\.a\)/);
    assert.match(error.message, /history\[\d\], written by step LABEL a=\*\*\*\* \(Dockerfile:5\)/);
    assert.equal(error.location?.range.start.line, 2, 'the first step with the value: the ARG');
  });
});

describe('forgetLeakedSteps', () => {
  it('forgets the leaking ops and every op that mounted a secret, and nothing else', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kiln-leak-steps-'));
    try {
      const p = plan(DOCKERFILE, { buildArgs: { V: 'v' } });
      const keys = computeCacheKeys(p, { imageDigests: new Map(), contextDigests: new Map() });
      const cache = openCacheIndex(root);
      for (const key of new Set(keys.values())) await cache.put(key, layer(SHA_A));
      const [secretRun, trueRun, echoRun] = [p.layerOps[0]!, p.layerOps[1]!, p.layerOps[2]!];
      await forgetLeakedSteps(p, keys, cache, [echoRun]);
      assert.equal(await cache.get(keys.get(secretRun)!), undefined);
      assert.equal(await cache.get(keys.get(echoRun)!), undefined);
      assert.notEqual(await cache.get(keys.get(trueRun)!), undefined);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
