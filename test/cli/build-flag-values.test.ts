import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  parseAddHost,
  parseAnnotations,
  parseShmSize,
  parseUlimits,
} from '../../src/cli/build-flag-values.js';
import { toBuildRunOptions } from '../../src/cli/build-options.js';
import { isKilnError } from '../../src/errors.js';

function usageError(pattern: RegExp): (error: unknown) => boolean {
  return (error) => isKilnError(error) && error.code === 'E_USAGE' && pattern.test(error.message);
}

describe('--add-host', () => {
  test('host:ip and host=ip, IPv4 and IPv6 (bracketed or not)', () => {
    assert.deepEqual(parseAddHost('db.internal:10.0.0.5'), { host: 'db.internal', ip: '10.0.0.5' });
    assert.deepEqual(parseAddHost('db=10.0.0.5'), { host: 'db', ip: '10.0.0.5' });
    assert.deepEqual(parseAddHost('v6:fd00::1'), { host: 'v6', ip: 'fd00::1' });
    assert.deepEqual(parseAddHost('v6=[::1]'), { host: 'v6', ip: '::1' });
    assert.deepEqual(parseAddHost('v6:[fd00::2]'), { host: 'v6', ip: 'fd00::2' });
  });

  test('refuses what is not host:ip, names that are not IPs, and host-gateway', () => {
    assert.throws(() => parseAddHost('nohost'), usageError(/--add-host "nohost": want host:ip/));
    assert.throws(() => parseAddHost(':10.0.0.1'), usageError(/want host:ip/));
    assert.throws(() => parseAddHost('db:not-an-ip'), usageError(/"not-an-ip" is not an IP address/));
    assert.throws(() => parseAddHost('db:10.0.0.256'), usageError(/is not an IP address/));
    assert.throws(() => parseAddHost('a b:10.0.0.1'), usageError(/white space/));
    assert.throws(() => parseAddHost('gw:host-gateway'), usageError(/host-gateway is not supported/));
  });
});

describe('--annotation', () => {
  test('key=value and manifest:key=value become manifest annotations (later wins)', () => {
    assert.deepEqual(
      parseAnnotations(['org.opencontainers.image.title=app', 'manifest:a=1=2', 'a=3', 'empty=']),
      { 'org.opencontainers.image.title': 'app', a: '3', empty: '' },
    );
  });

  test('index, descriptor and platform-qualified types are refused, not ignored', () => {
    for (const value of [
      'index:a=1',
      'manifest-descriptor:a=1',
      'index-descriptor:a=1',
      'manifest[linux/amd64]:a=1',
    ]) {
      assert.throws(
        () => parseAnnotations([value]),
        usageError(/annotation type .* is not supported/),
        value,
      );
    }
    assert.throws(() => parseAnnotations(['novalue']), usageError(/want key=value/));
    assert.throws(() => parseAnnotations(['manifest:=1']), usageError(/empty key/));
  });
});

describe('--shm-size', () => {
  test('docker size units', () => {
    assert.equal(parseShmSize('128m'), 128 * 1024 * 1024);
    assert.equal(parseShmSize('1g'), 1024 ** 3);
    assert.equal(parseShmSize('65536'), 65536);
    assert.throws(() => parseShmSize('lots'), usageError(/--shm-size "lots"/));
  });
});

describe('--ulimit', () => {
  test('name=soft[:hard], hard defaulting to soft, the last value of a name winning', () => {
    assert.deepEqual(parseUlimits(['nofile=1024:2048', 'nproc=50', 'nofile=10:20']), [
      { name: 'nofile', soft: 10, hard: 20 },
      { name: 'nproc', soft: 50, hard: 50 },
    ]);
  });
  test('unknown names, soft above hard, negative or missing values are refused', () => {
    assert.throws(() => parseUlimits(['files=1']), usageError(/unknown limit "files"/));
    assert.throws(() => parseUlimits(['nofile=2048:1024']), usageError(/soft limit is above the hard limit/));
    assert.throws(() => parseUlimits(['nofile=-1']), usageError(/want name=soft\[:hard\]/));
    assert.throws(() => parseUlimits(['nofile']), usageError(/want name=soft\[:hard\]/));
    assert.throws(() => parseUlimits(['nofile=99999999999999999999']), usageError(/too large/));
  });
});

test('toBuildRunOptions carries the parsed values; --isolation default means auto', () => {
  const options = toBuildRunOptions(
    {
      tag: [],
      buildArg: [],
      label: [],
      addHost: ['a:1.2.3.4'],
      annotation: ['k=v'],
      shmSize: '2m',
      ulimit: ['nofile=5'],
      isolation: 'default',
    },
    {},
  );
  assert.deepEqual(options.extraHosts, [{ host: 'a', ip: '1.2.3.4' }]);
  assert.deepEqual(options.annotations, { k: 'v' });
  assert.equal(options.shmSizeBytes, 2 * 1024 * 1024);
  assert.deepEqual(options.ulimits, [{ name: 'nofile', soft: 5, hard: 5 }]);
  assert.equal(options.isolation, 'auto');
  const plain = toBuildRunOptions({ tag: [], buildArg: [], label: [] }, {});
  assert.deepEqual(plain.extraHosts, []);
  assert.equal(plain.shmSizeBytes, undefined);
});
