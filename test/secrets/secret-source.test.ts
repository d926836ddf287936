import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import { parseSecretSpec } from '../../src/secrets/secret-source.js';
import { createSecretStore, missingRequired } from '../../src/secrets/secret-store.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return isKilnError(e) ? e.code : String(e);
  }
  return 'no error';
};

describe('parseSecretSpec', () => {
  it('reads the buildx forms', () => {
    assert.deepEqual(parseSecretSpec('id=a,src=/p'), { kind: 'file', id: 'a', path: '/p' });
    assert.deepEqual(parseSecretSpec('id=a,source=/p'), { kind: 'file', id: 'a', path: '/p' });
    assert.deepEqual(parseSecretSpec('type=file,id=a,src=rel'), { kind: 'file', id: 'a', path: 'rel' });
    assert.deepEqual(parseSecretSpec('type=file,id=a'), { kind: 'file', id: 'a', path: 'a' });
    assert.deepEqual(parseSecretSpec('id=kube,env=KUBECONFIG'), {
      kind: 'env',
      id: 'kube',
      variable: 'KUBECONFIG',
    });
    assert.deepEqual(parseSecretSpec('type=env,id=TOKEN'), { kind: 'env', id: 'TOKEN', variable: 'TOKEN' });
    assert.deepEqual(parseSecretSpec('type=env,id=t,src=VAR'), { kind: 'env', id: 't', variable: 'VAR' });
    assert.deepEqual(parseSecretSpec('id=API_TOKEN'), { kind: 'env-or-file', id: 'API_TOKEN' });
    assert.deepEqual(parseSecretSpec('"id=a,b",src=/x'), { kind: 'file', id: 'a,b', path: '/x' });
  });

  it('rejects bad specs with E_USAGE', () => {
    for (const bad of [
      '',
      'src=/p',
      'id=',
      'id=a,type=ssh',
      'id=a,foo=1',
      'id=a,novalue',
      'id=a,src=/p,env=X',
      'type=file,id=a,env=X',
    ]) {
      assert.equal(
        code(() => parseSecretSpec(bad)),
        'E_USAGE',
        bad,
      );
    }
  });
});

describe('createSecretStore', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const dir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'kiln-secret-store-'));
    dirs.push(d);
    return d;
  };

  it('resolves files (relative to cwd), env variables, and the id shorthand (env first, then file)', async () => {
    const d = await dir();
    await writeFile(join(d, 'f.txt'), 'file-value\n');
    await writeFile(join(d, 'SHORT'), 'from-file');
    const store = createSecretStore({
      sources: [
        parseSecretSpec('id=f,src=f.txt'),
        parseSecretSpec('id=e,env=MY_VAR'),
        parseSecretSpec('id=API'),
        parseSecretSpec('id=SHORT'),
      ],
      env: { MY_VAR: 'env-value', API: 'api-env' },
      cwd: d,
    });
    assert.deepEqual(store.ids, ['f', 'e', 'API', 'SHORT']);
    assert.equal((await store.get('f'))!.toString(), 'file-value\n');
    assert.equal((await store.get('e'))!.toString(), 'env-value');
    assert.equal((await store.get('API'))!.toString(), 'api-env');
    assert.equal((await store.get('SHORT'))!.toString(), 'from-file');
    assert.equal(await store.get('nope'), undefined);
    assert.deepEqual(
      store
        .resolved()
        .map((r) => r.id)
        .sort(),
      ['API', 'SHORT', 'e', 'f'],
    );
  });

  it('is lazy: an unreadable secret fails only when used', async () => {
    const store = createSecretStore({ sources: [parseSecretSpec('id=x,src=/nonexistent/kiln')], env: {} });
    await assert.rejects(store.get('x'), (e: unknown) => isKilnError(e) && e.code === 'E_SECRET');
    const envStore = createSecretStore({ sources: [parseSecretSpec('id=x,env=UNSET_VAR')], env: {} });
    await assert.rejects(envStore.get('x'), (e: unknown) => isKilnError(e) && e.code === 'E_SECRET');
  });

  it('caps the size of file and env secrets', async () => {
    const d = await dir();
    await writeFile(join(d, 'big'), Buffer.alloc(101, 1));
    await writeFile(join(d, 'ok'), Buffer.alloc(100, 1));
    const store = createSecretStore({
      sources: [
        parseSecretSpec(`id=big,src=${d}/big`),
        parseSecretSpec(`id=ok,src=${d}/ok`),
        parseSecretSpec('id=e,env=E'),
      ],
      env: { E: 'x'.repeat(101) },
      maxBytes: 100,
    });
    assert.equal((await store.get('ok'))!.length, 100);
    await assert.rejects(store.get('big'), (e: unknown) => isKilnError(e) && e.code === 'E_TOO_LARGE');
    await assert.rejects(store.get('e'), (e: unknown) => isKilnError(e) && e.code === 'E_TOO_LARGE');
  });

  it('refuses duplicate ids and directories', async () => {
    assert.equal(
      code(() =>
        createSecretStore({
          sources: [parseSecretSpec('id=a,env=X'), parseSecretSpec('id=a,env=Y')],
          env: {},
        }),
      ),
      'E_USAGE',
    );
    const store = createSecretStore({ sources: [parseSecretSpec('id=d,src=/tmp')], env: {} });
    await assert.rejects(store.get('d'), (e: unknown) => isKilnError(e) && e.code === 'E_SECRET');
  });

  it('missingRequired points at the RUN line', () => {
    const location = {
      file: 'Dockerfile',
      range: { start: { line: 7, column: 1 }, end: { line: 7, column: 40 } },
    };
    const e = missingRequired('secret', 'tok', location);
    assert.equal(e.code, 'E_SECRET');
    assert.equal(e.location, location);
    assert.match(e.message, /secret tok is required/);
  });
});
