import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '../../src/plan/canonical-json.js';
import { goDuration, goList } from '../../src/plan/go-format.js';
import { cleanPath, destRelativeToWorkdir, normalizeWorkdir } from '../../src/plan/paths.js';
import { goTime } from '../../src/plan/plan-build.js';
import { httpFileName, parseGitSource } from '../../src/plan/remote-sources.js';

describe('Go formatting', () => {
  it('formats durations like time.Duration.String', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [1, '1ns'],
      [1500, '1.5µs'],
      [500e6, '500ms'],
      [1e9, '1s'],
      [1.5e9, '1.5s'],
      [90e9, '1m30s'],
      [3600e9, '1h0m0s'],
      [3723.5e9, '1h2m3.5s'],
      [-2e9, '-2s'],
    ];
    for (const [ns, text] of cases) assert.equal(goDuration(ns), text, String(ns));
  });

  it('formats string slices and RFC 3339 times', () => {
    assert.equal(goList(['a', 'b c']), '[a b c]');
    assert.equal(goList([]), '[]');
    assert.equal(goTime(new Date(0)), '1970-01-01T00:00:00Z');
    assert.equal(goTime(new Date('2024-01-02T03:04:05.500Z')), '2024-01-02T03:04:05.5Z');
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined members', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }),
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('is the same for objects that differ only in key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        assert.equal(canonicalJson(obj), canonicalJson(reversed));
        assert.equal(
          canonicalJson(JSON.parse(canonicalJson(obj))),
          canonicalJson(obj),
          'round trip is stable',
        );
      }),
    );
  });

  it('refuses non-finite numbers', () => {
    assert.throws(() => canonicalJson({ a: Number.NaN }));
  });
});

describe('paths', () => {
  it('cleans like Go path.Clean', () => {
    assert.equal(cleanPath('/a/../b//c/'), '/b/c');
    assert.equal(cleanPath(''), '.');
    assert.equal(cleanPath('/..'), '/');
  });

  it('resolves WORKDIR and COPY destinations', () => {
    assert.equal(normalizeWorkdir('/a', 'b/../c'), '/a/c');
    assert.equal(normalizeWorkdir('', 'x'), '/x');
    assert.equal(normalizeWorkdir('/a', '/abs/'), '/abs');
    assert.equal(destRelativeToWorkdir('/w', '.'), '/w/');
    assert.equal(destRelativeToWorkdir('/w', 'sub/'), '/w/sub/');
    assert.equal(destRelativeToWorkdir('/w', 'file'), '/w/file');
    assert.equal(destRelativeToWorkdir('/w', '/x/.'), '/x/');
  });
});

describe('remote ADD sources', () => {
  it('recognises git sources with ref and subdir', () => {
    assert.deepEqual(parseGitSource('git@github.com:o/r.git#main:sub'), {
      url: 'git@github.com:o/r.git',
      ref: 'main',
      subdir: 'sub',
    });
    assert.deepEqual(parseGitSource('https://h/o/r.git'), { url: 'https://h/o/r.git' });
    assert.equal(parseGitSource('https://h/file.tar'), undefined);
    assert.equal(parseGitSource('local/dir'), undefined);
  });

  it('names downloads after the last URL path segment', () => {
    assert.equal(httpFileName('https://h/a/b.tgz?x=1'), 'b.tgz');
    assert.equal(httpFileName('https://h/'), '__unnamed__');
  });
});
