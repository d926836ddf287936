import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageEnvLookup } from '../../src/build/image-env.js';
import { checkDockerfile } from '../../src/dockerfile/stages/index.js';
import type { ImageConfig } from '../../src/oci/types.js';

test('the lookup reads a base image Env as BuildKit does (first = splits, bare names are empty)', () => {
  const config = {
    config: { Env: ['PATH=/bin:/usr/bin', 'A=b=c', 'EMPTY=', 'BARE'] },
  } as unknown as ImageConfig;
  const lookup = imageEnvLookup(new Map([['base\u0000linux/amd64/', { config }]]));
  assert.deepEqual(lookup('base'), { PATH: '/bin:/usr/bin', A: 'b=c', EMPTY: '', BARE: '' });
  const bare = { config: {} } as unknown as ImageConfig;
  assert.deepEqual(imageEnvLookup(new Map([['bare\u0000linux/amd64/', { config: bare }]]))('bare'), {});
});

test('a stage expands words with its base image Env (ENV PATH=/opt/bin:$PATH keeps the image PATH)', () => {
  const config = { config: { Env: ['PATH=/usr/bin:/bin', 'HOME=/root'] } } as unknown as ImageConfig;
  const configs = new Map([['busybox\u0000linux/amd64/', { config }]]);
  const text = 'FROM busybox\nENV PATH=/opt/bin:$PATH\nRUN echo $HOME\nFROM scratch AS other\nENV P=$PATH\n';
  const checked = checkDockerfile(text, { imageEnv: imageEnvLookup(configs), target: 'other' });
  const env = (i: number) => JSON.stringify(checked.stages[i]?.instructions.map((x) => x.instruction));
  assert.match(env(0), /\/opt\/bin:\/usr\/bin:\/bin/);
  assert.doesNotMatch(env(1), /usr\/bin/, 'scratch brings no Env');
  assert.equal(imageEnvLookup(configs)('other'), undefined);
});
