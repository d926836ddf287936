/**
 * RUN --mount parsing: every type, option, default and error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRamBytes } from '../../../src/dockerfile/instructions/byte-size.js';
import { splitCsvRecord } from '../../../src/dockerfile/instructions/csv-fields.js';
import { parseMounts } from '../../../src/dockerfile/instructions/parse-run.js';
import { parseMount } from '../../../src/dockerfile/instructions/run-mount.js';
import { ErrorCode } from '../../../src/errors.js';
import { thrown } from './fixtures.js';

const site = { file: 'Dockerfile', range: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } } };
const mount = (spec: string) => parseMount(spec, { site, sshIndex: 0 });
const error = (spec: string) => {
  const err = thrown(() => mount(spec));
  assert.equal(err.code, ErrorCode.DockerfileInstruction, spec);
  return err.message;
};

describe('RUN --mount defaults', () => {
  it('bind is the default type, read-only, source /', () => {
    assert.deepEqual(mount('target=/src'), { type: 'bind', target: '/src', source: '/', readOnly: true });
    assert.deepEqual(mount('type=bind,from=build,src=/out,dst=/in,rw'), {
      type: 'bind',
      target: '/in',
      source: '/out',
      from: 'build',
      readOnly: false,
    });
    const readOnly = (spec: string) => {
      const m = mount(spec);
      return m.type === 'bind' ? m.readOnly : undefined;
    };
    assert.equal(readOnly('type=BIND,destination=/x,readwrite=true,ro=true'), true, 'the last option wins');
    assert.equal(readOnly('target=/x,readonly=false'), false);
    assert.equal(readOnly('target=/x,rw=false'), true);
  });

  it('cache: read-write, id = target, sharing shared, mode 0755', () => {
    assert.deepEqual(mount('type=cache,target=/c'), {
      type: 'cache',
      target: '/c',
      id: '/c',
      sharing: 'shared',
      readOnly: false,
      mode: 0o755,
      uid: 0,
      gid: 0,
    });
    const priv = mount('type=cache,target=/c,sharing=PRIVATE');
    assert.equal(priv.type === 'cache' ? priv.sharing : undefined, 'private');
    const c = mount('type=cache,target=/c,id=x,sharing=locked,from=img,source=/sub,ro,mode=0700,uid=1,gid=2');
    assert.deepEqual(c, {
      type: 'cache',
      target: '/c',
      id: 'x',
      sharing: 'locked',
      from: 'img',
      source: '/sub',
      readOnly: true,
      mode: 0o700,
      uid: 1,
      gid: 2,
    });
  });

  it('tmpfs with a size', () => {
    assert.deepEqual(mount('type=tmpfs,target=/t'), { type: 'tmpfs', target: '/t' });
    assert.deepEqual(mount('type=tmpfs,target=/t,size=1g'), {
      type: 'tmpfs',
      target: '/t',
      sizeBytes: 2 ** 30,
    });
  });

  it('secret: id from target basename, target /run/secrets/<id>, mode 0400, env', () => {
    assert.deepEqual(mount('type=secret,id=npmrc'), {
      type: 'secret',
      id: 'npmrc',
      target: '/run/secrets/npmrc',
      required: false,
      mode: 0o400,
      uid: 0,
      gid: 0,
    });
    const fromTarget = mount('type=secret,target=/root/.npmrc,required=true,mode=0440,uid=1000,gid=1000');
    assert.deepEqual(fromTarget, {
      type: 'secret',
      id: '.npmrc',
      target: '/root/.npmrc',
      required: true,
      mode: 0o440,
      uid: 1000,
      gid: 1000,
    });
    assert.deepEqual(mount('type=secret,source=aws'), { ...mount('type=secret,id=aws') });
    const env = mount('type=secret,id=tok,env=TOKEN');
    assert.deepEqual(env, {
      type: 'secret',
      id: 'tok',
      env: 'TOKEN',
      required: false,
      mode: 0o400,
      uid: 0,
      gid: 0,
    });
    const both = mount('type=secret,id=tok,env=TOKEN,target=/t');
    assert.equal(both.type === 'secret' ? both.target : '', '/t');
    assert.deepEqual(mount('type=secret,env=TOKEN'), {
      type: 'secret',
      id: 'TOKEN',
      env: 'TOKEN',
      required: false,
      mode: 0o400,
      uid: 0,
      gid: 0,
    });
  });

  it('ssh: id default, numbered socket targets, mode 0600', () => {
    const mounts = parseMounts(['type=ssh', 'type=cache,target=/c', 'type=ssh,id=gh,required'], site);
    assert.deepEqual(mounts[0], {
      type: 'ssh',
      id: 'default',
      target: '/run/buildkit/ssh_agent.0',
      required: false,
      mode: 0o600,
      uid: 0,
      gid: 0,
    });
    assert.deepEqual(mounts[2], {
      type: 'ssh',
      id: 'gh',
      target: '/run/buildkit/ssh_agent.1',
      required: true,
      mode: 0o600,
      uid: 0,
      gid: 0,
    });
  });
});

describe('RUN --mount errors', () => {
  it('rejects bad types, keys, values and combinations', () => {
    assert.match(error('type=volume,target=/x'), /unsupported mount type "volume"/);
    assert.match(error('type=cache,target=/x,sharing=maybe'), /unsupported sharing value "maybe"/);
    assert.equal(error('target=/x,color=red'), "unexpected key 'color' in 'color=red'");
    assert.equal(error('target=/x,bogus'), "invalid field 'bogus' must be a key=value pair");
    assert.equal(error('target=/x,required'), "unexpected key 'required' for mount type 'bind'");
    assert.equal(error('type=secret,id=a,required=maybe'), 'invalid value for required: maybe');
    assert.equal(error('target=/x,ro=yes'), 'invalid value for ro: yes');
    assert.equal(error('type=cache,target=/c,mode=0800'), 'invalid value 0800 for mode');
    assert.equal(error('type=cache,target=/c,uid=-1'), 'invalid value -1 for uid');
    assert.equal(error('type=cache,target=/c,gid=x'), 'invalid value x for gid');
    assert.equal(error('target=/x,mode=0700'), 'mode not allowed for "bind" type mounts');
    assert.equal(error('type=tmpfs,target=/x,uid=1'), 'uid not allowed for "tmpfs" type mounts');
    assert.equal(error('target=/x,size=1m'), "unexpected key 'size' for mount type 'bind'");
    assert.equal(error('type=tmpfs,target=/x,size=lots'), 'invalid value for size: lots');
    assert.equal(error('type=secret,id=a,from=x'), 'secret mount should not have a from');
    assert.equal(error('type=secret,id=a,sharing=locked'), 'invalid cache sharing set for secret mount');
    assert.equal(error('type=secret'), 'invalid secret mount. one of source, target required');
    assert.equal(error('type=secret,source=a,id=b'), "both source and id can't be set");
    assert.equal(error('type=bind,target=/x,env=A'), "unexpected key 'env' for mount type 'bind'");
    assert.match(error('type=cache'), /requires a target/);
    assert.match(error('type=bind,source=a"b,target=/x'), /failed to parse csv mounts: bare "/);
    assert.match(error(''), /failed to parse csv mounts/);
  });

  it('leaves $-values for after expansion, but never allows them in from=', () => {
    assert.deepEqual(mount('type=cache,target=$DIR,mode=$MODE'), {
      type: 'cache',
      target: '$DIR',
      id: '$DIR',
      sharing: 'shared',
      readOnly: false,
      mode: 0o755,
      uid: 0,
      gid: 0,
    });
    assert.equal(
      error('from=$STAGE,target=/x'),
      "'from' doesn't support variable expansion, define alias stage instead",
    );
    const expanded = parseMount('type=cache,target=$DIR,mode=$MODE', {
      site,
      sshIndex: 0,
      expand: (v) => v.replace('$DIR', '/d').replace('$MODE', '0700'),
    });
    assert.equal(expanded.type === 'cache' ? expanded.mode : 0, 0o700);
  });
});

describe('mount helpers', () => {
  it('splits CSV records like Go encoding/csv', () => {
    assert.deepEqual(splitCsvRecord('a,b'), { ok: true, fields: ['a', 'b'] });
    assert.deepEqual(splitCsvRecord('"a,b",c'), { ok: true, fields: ['a,b', 'c'] });
    assert.deepEqual(splitCsvRecord('"say ""hi""",x,'), { ok: true, fields: ['say "hi"', 'x', ''] });
    assert.equal(splitCsvRecord('"open').ok, false);
    assert.equal(splitCsvRecord('"a"b').ok, false);
  });

  it('reads sizes with binary multipliers', () => {
    assert.equal(parseRamBytes('512'), 512);
    assert.equal(parseRamBytes('64m'), 64 * 2 ** 20);
    assert.equal(parseRamBytes('1.5GiB'), 1.5 * 2 ** 30);
    assert.equal(parseRamBytes('2 kb'), 2048);
    assert.equal(parseRamBytes('-1'), undefined);
    assert.equal(parseRamBytes('1x'), undefined);
  });
});
