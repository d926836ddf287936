import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256Digest } from '../../src/oci/digest.js';
import { chainId } from '../../src/worker/chains.js';
import { parseChmod } from '../../src/worker/modes.js';
import { parentDirs } from '../../src/worker/prune-upper.js';

test('chain IDs follow the OCI image spec: ChainID(L0)=DiffID(L0), ChainID(Ln)=sha256(ChainID(Ln-1) + " " + DiffID(Ln))', () => {
  const a = sha256Digest('a');
  const b = sha256Digest('b');
  const c = sha256Digest('c');
  assert.equal(chainId([]), undefined);
  assert.equal(chainId([a]), a);
  const ab = sha256Digest(`${a} ${b}`);
  assert.equal(chainId([a, b]), ab);
  assert.equal(chainId([a, b, c]), sha256Digest(`${ab} ${c}`));
  assert.notEqual(chainId([b, a]), chainId([a, b]));
});

test('--chmod: octal modes apply to every node; symbolic modes are refused for now', () => {
  assert.equal(parseChmod(undefined, undefined), undefined);
  assert.equal(parseChmod('', undefined), undefined);
  assert.equal(parseChmod('640', undefined)?.({ mode: 0o777 }), 0o640);
  assert.equal(parseChmod('4755', undefined)?.({ mode: 0 }), 0o4755);
  assert.throws(() => parseChmod('u+x', undefined), { code: 'E_USAGE' });
});

test('mount point parents: every ancestor once, deepest first, never the root', () => {
  assert.deepEqual(parentDirs(['/etc/hosts', '/etc/resolv.conf', '/run/secrets/a/b', '/proc']), [
    '/run/secrets/a',
    '/run/secrets',
    '/etc',
    '/run',
  ]);
});
