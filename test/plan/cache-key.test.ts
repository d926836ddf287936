import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type BuildPlan,
  CACHE_KEY_VERSION,
  type CacheKeyInputs,
  cacheKeyDocument,
  computeCacheKeys,
  digestContextSelections,
} from '../../src/plan/index.js';
import { plan, SHA_A, SHA_B, SHA_C, type TestPlanOptions } from './plan-helpers.js';

/** Every image and context selection gets a digest (a fixed one unless overridden). */
function allInputs(p: BuildPlan, overrides: Partial<CacheKeyInputs> = {}): CacheKeyInputs {
  const images = new Map(
    p.ops.filter((o) => o.kind === 'source' && o.source.kind === 'image').map((o) => [o.id, SHA_A]),
  );
  const contexts = new Map(p.contextSelections.map((s) => [s.id, SHA_B]));
  return {
    imageDigests: overrides.imageDigests ?? images,
    contextDigests: overrides.contextDigests ?? contexts,
    ...(overrides.remoteDigests === undefined ? {} : { remoteDigests: overrides.remoteDigests }),
  };
}

function keysOf(text: string, options: TestPlanOptions = {}): ReadonlyMap<string, string> {
  const p = plan(text, options);
  return computeCacheKeys(p, allInputs(p));
}

function changed(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), 'same ops');
  return [...a.keys()].filter((id) => a.get(id) !== b.get(id)).sort();
}

/** Every key document of a plan (all inputs known). */
function documents(p: BuildPlan): string[] {
  const inputs = allInputs(p);
  const keys = computeCacheKeys(p, inputs);
  return p.ops.map((op) => cacheKeyDocument(op, keys, inputs) ?? '');
}

const ARG_FILE = [
  'FROM alpine AS a', // image source
  'RUN early', // s0.1
  'ARG V=1', // s0.2 meta
  'RUN uses-env', // s0.3
  'COPY f /f', // s0.4
  'LABEL x=y', // s0.5 meta
  'FROM alpine AS b',
  'RUN other', // s1.1
  'FROM scratch',
  'COPY --from=a /f /a', // s2.1
  'COPY --from=b /o /b', // s2.2
  '',
].join('\n');

describe('cache keys', () => {
  it('are sha256 digests of a versioned canonical document, one per op', () => {
    const p = plan(ARG_FILE);
    const keys = computeCacheKeys(p, allInputs(p));
    assert.equal(keys.size, p.ops.length);
    for (const key of keys.values()) assert.match(key, /^sha256:[a-f0-9]{64}$/);
    for (const doc of documents(p)) {
      assert.ok(doc.startsWith('{'), doc);
      assert.equal(JSON.parse(doc).v, CACHE_KEY_VERSION);
    }
    assert.equal(CACHE_KEY_VERSION, 'kiln.cache.v1');
  });

  it('unchanged input gives the same keys; ranges, comments and names do not matter', () => {
    const a = keysOf(ARG_FILE);
    assert.deepEqual(changed(a, keysOf(ARG_FILE)), []);
    const moved = ARG_FILE.replace('RUN early', '# a comment\n\nrun early');
    assert.deepEqual(changed(a, keysOf(moved)), []);
  });

  it('a changed build arg changes only the ops that use it and their descendants', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }).filter((v) => v !== '1'),
        (value) => {
          const base = keysOf(ARG_FILE);
          const other = keysOf(ARG_FILE, { buildArgs: { V: value } });
          assert.deepEqual(changed(base, other), ['s0.2', 's0.3', 's0.4', 's0.5', 's2.1', 's2.2']);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('an arg used only in a COPY path changes that COPY on, not the RUN before it', () => {
    const text = 'FROM scratch\nARG F=a\nRUN before\nCOPY $F.txt /x\nRUN after\n';
    const diff = changed(keysOf(text), keysOf(text, { buildArgs: { F: 'b' } }));
    // RUN before still changes: ARG values are in the environment of every later RUN (as in BuildKit).
    assert.deepEqual(diff, ['s0.1', 's0.2', 's0.3', 's0.4']);
    const declaredLate = 'FROM scratch\nRUN before\nARG F=a\nCOPY $F.txt /x\n';
    assert.deepEqual(changed(keysOf(declaredLate), keysOf(declaredLate, { buildArgs: { F: 'b' } })), [
      's0.2',
      's0.3',
    ]);
  });

  it('a LABEL change does not change later filesystem ops', () => {
    const text = 'FROM scratch\nLABEL v=1\nRUN x\nCOPY a /a\n';
    assert.deepEqual(changed(keysOf(text), keysOf(text.replace('v=1', 'v=2'))), ['s0.1']);
  });

  it('proxy args never change keys (but reach the RUN)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (http, no) => {
        const text = 'FROM alpine\nARG HTTPS_PROXY\nRUN curl x\n';
        const p = plan(text, { buildArgs: { http_proxy: http, NO_PROXY: no, HTTPS_PROXY: http } });
        assert.deepEqual(changed(keysOf(text), computeCacheKeys(p, allInputs(p))), []);
        const run = p.ops.find((o) => o.kind === 'exec');
        assert.equal(run?.kind === 'exec' && run.proxyEnv.http_proxy, http);
      }),
      { numRuns: 30 },
    );
  });

  it('secret values never appear in key documents; secret ids and options do count', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{16,32}$/), (secret) => {
        const text = 'FROM alpine\nRUN --mount=type=secret,id=tok,env=TOKEN,required curl -H "$TOKEN" x\n';
        const p = plan(text, { buildArgs: { http_proxy: secret, FTP_PROXY: secret, ALL_PROXY: secret } });
        for (const doc of documents(p)) assert.ok(!doc.includes(secret), 'secret value in a key document');
        assert.ok(!JSON.stringify(p.image).includes(secret), 'secret value in the image');
      }),
      { numRuns: 50 },
    );
    const base = 'FROM alpine\nRUN --mount=type=secret,id=tok cmd\n';
    assert.deepEqual(changed(keysOf(base), keysOf(base.replace('id=tok', 'id=other'))), ['s0.1']);
    assert.deepEqual(changed(keysOf(base), keysOf(base.replace('id=tok', 'id=tok,mode=0444'))), ['s0.1']);
  });

  it('cache mount ids count, their contents cannot', () => {
    const text = 'FROM alpine\nRUN --mount=type=cache,target=/c,id=one build\n';
    assert.deepEqual(changed(keysOf(text), keysOf(text.replace('id=one', 'id=two'))), ['s0.1']);
    const doc = documents(plan(text)).find((d) => d.includes('"cache"'));
    assert.ok(doc?.includes('"id":"one"'));
  });

  it('a changed context digest changes the COPY that reads it and what follows, nothing else', () => {
    const text =
      'FROM alpine AS a\nRUN one\nCOPY src/ /src/\nCOPY other /o\nRUN two\nFROM alpine AS b\nCOPY other /o\n' +
      'FROM scratch\nCOPY --from=a / /a\nCOPY --from=b / /b\n';
    const p = plan(text);
    const base = computeCacheKeys(p, allInputs(p));
    const srcSelection = p.contextSelections.find((s) => s.patterns[0] === 'src/')!;
    const contexts = new Map(
      p.contextSelections.map((s) => [s.id, s.id === srcSelection.id ? SHA_C : SHA_B]),
    );
    const next = computeCacheKeys(p, allInputs(p, { contextDigests: contexts }));
    assert.deepEqual(changed(base, next), ['s0.2', 's0.3', 's0.4', 's2.1', 's2.2']);
  });

  it('a changed base image digest changes its stages only', () => {
    const p = plan('FROM alpine AS a\nRUN x\nFROM busybox\nRUN y\n', { target: 'a' });
    const q = plan(
      'FROM alpine AS a\nRUN x\nFROM busybox AS b\nRUN y\nFROM scratch\nCOPY --from=a / /a\nCOPY --from=b / /b\n',
    );
    const inputs = allInputs(q);
    const images = new Map(inputs.imageDigests);
    images.set('image:busybox@linux/amd64', SHA_C);
    assert.deepEqual(
      changed(computeCacheKeys(q, inputs), computeCacheKeys(q, { ...inputs, imageDigests: images })),
      ['image:busybox@linux/amd64', 's1.1', 's2.2'],
    );
    assert.equal(p.stages.length, 1);
  });

  it('keys are computed incrementally as digests arrive', () => {
    const p = plan('FROM alpine AS a\nRUN x\nFROM scratch\nCOPY f /f\nCOPY --from=a /x /x\n');
    const none = computeCacheKeys(p, { imageDigests: new Map(), contextDigests: new Map() });
    assert.deepEqual([...none.keys()].sort(), ['context', 'scratch']);
    const contextOnly = computeCacheKeys(p, {
      imageDigests: new Map(),
      contextDigests: allInputs(p).contextDigests,
    });
    assert.deepEqual([...contextOnly.keys()].sort(), ['context', 's1.1', 'scratch']);
    const all = computeCacheKeys(p, allInputs(p));
    assert.equal(all.size, p.ops.length);
    for (const [id, key] of contextOnly) assert.equal(all.get(id), key, 'early keys stay valid');
  });

  it('remote sources without a checksum wait for their digest; a checksum pins them', () => {
    const p = plan(
      'FROM scratch\nADD https://example.com/a.txt /a\nADD --checksum=sha256:' +
        'd'.repeat(64) +
        ' https://example.com/b.txt /b\n',
    );
    const partial = computeCacheKeys(p, allInputs(p));
    assert.ok(!partial.has('http:https://example.com/a.txt'));
    assert.ok([...partial.keys()].some((k) => k.startsWith('http:https://example.com/b.txt')));
    const full = computeCacheKeys(
      p,
      allInputs(p, { remoteDigests: new Map([['http:https://example.com/a.txt', SHA_C]]) }),
    );
    assert.equal(full.size, p.ops.length);
  });

  it('SOURCE_DATE_EPOCH changes file op keys (file times), the clock never does', () => {
    const text = 'FROM scratch\nCOPY a /a\n';
    assert.deepEqual(
      changed(keysOf(text, { now: () => new Date(1) }), keysOf(text, { now: () => new Date(2) })),
      [],
    );
    assert.deepEqual(changed(keysOf(text, { sourceDateEpoch: 1 }), keysOf(text, { sourceDateEpoch: 2 })), [
      's0.1',
    ]);
  });

  it('digestContextSelections asks the hasher once per selection', async () => {
    const p = plan('FROM scratch\nCOPY a /a\nCOPY a /b\nCOPY b /c\n');
    const asked: string[] = [];
    const digests = await digestContextSelections(p, {
      digest: async (s) => {
        asked.push(s.patterns.join(','));
        return s.patterns[0] === 'a' ? SHA_A : SHA_B;
      },
    });
    assert.deepEqual(asked.sort(), ['a', 'b']);
    assert.equal(
      computeCacheKeys(p, { imageDigests: new Map(), contextDigests: digests }).size,
      p.ops.length,
    );
  });
});
