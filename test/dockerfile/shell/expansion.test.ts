// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words are written with ${…} on purpose
/**
 * Word expansion behaviour beyond the upstream tables: options, splitting, messages, limits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  processWord,
  processWords,
  processWordWithMatches,
  type ShellOptions,
} from '../../../src/dockerfile/shell/index.js';
import { MAX_NESTING } from '../../../src/dockerfile/shell/lexer.js';
import { ErrorCode, isKilnError } from '../../../src/errors.js';

function expansionError(messagePart: string): (error: unknown) => boolean {
  return (error) =>
    isKilnError(error) && error.code === ErrorCode.Expansion && error.message.includes(messagePart);
}

describe('escape token', () => {
  const backtick: ShellOptions = { escapeToken: '`' };
  it('with ` the backslash is literal everywhere', () => {
    assert.equal(processWord('C:\\dir\\$X', { X: 'x' }, backtick), 'C:\\dir\\x');
    assert.equal(processWord('"a\\"', {}, backtick), 'a\\');
    assert.equal(processWord("'a\\'", {}, backtick), 'a\\');
  });
  it('with ` the backtick escapes', () => {
    assert.equal(processWord('a``b`$X`', { X: 'x' }, backtick), 'a`b$X');
    assert.equal(processWord('"a`"b`$X``c`d"', { X: 'x' }, backtick), 'a"b$X`c`d');
    assert.deepEqual(processWords('a` b c', {}, backtick), ['a b', 'c']);
  });
  it('with \\ the backtick is literal', () => {
    assert.equal(processWord('a`b', {}), 'a`b');
  });
  it('patterns keep backslash escapes whatever the escape token', () => {
    assert.equal(processWord('${V#\\*}', { V: '*x' }, backtick), 'x');
  });
  it('rejects other escape tokens', () => {
    assert.throws(
      () => processWord('x', {}, { escapeToken: '/' as '\\' }),
      (error: unknown) => isKilnError(error) && error.code === ErrorCode.Usage,
    );
  });
});

describe('skipUnsetEnv', () => {
  const skip: ShellOptions = { skipUnsetEnv: true };
  it('leaves references to unset variables as written', () => {
    assert.equal(processWord('$FOO-${BAR}-$1', {}, skip), '$FOO-${BAR}-$1');
    assert.equal(processWord('${A:-x} ${B+y} ${C#p} ${D%%q}', {}, skip), '${A:-x} ${B+y} ${C#p} ${D%%q}');
  });
  it('writes ${V//p/r} back with one slash, like BuildKit', () => {
    assert.equal(processWord('${A//p/r} ${A/p/r}', {}, skip), '${A/p/r} ${A/p/r}');
  });
  it('leaves an unset ${V?m} as written instead of failing', () => {
    assert.equal(processWord('${A?m}', {}, skip), '${A?m}');
  });
  it('expands set variables', () => {
    assert.equal(processWord('$FOO ${FOO:-x} ${EMPTY:-d}', { FOO: 'f', EMPTY: '' }, skip), 'f f d');
  });
});

describe('rawQuotes, rawEscapes, skipProcessQuotes', () => {
  it('rawQuotes keeps quotes but still protects their content', () => {
    assert.equal(processWord(`"a $X"'$X'`, { X: 'x' }, { rawQuotes: true }), `"a x"'$X'`);
    assert.deepEqual(processWords(`"a b" c`, {}, { rawQuotes: true }), ['"a b"', 'c']);
  });
  it('rawEscapes keeps escape characters', () => {
    assert.equal(processWord('a\\ b\\$X', { X: 'x' }, { rawEscapes: true }), 'a\\ b\\$X');
    assert.deepEqual(processWords('a\\ b c', {}, { rawEscapes: true }), ['a\\ b', 'c']);
  });
  it('the heredoc detection combination keeps everything as written', () => {
    const options: ShellOptions = { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true };
    assert.deepEqual(processWords(`cat <<"EOF" <<-'E2' $X \\$Y`, {}, options), [
      'cat',
      '<<"EOF"',
      "<<-'E2'",
      '$X',
      '\\$Y',
    ]);
  });
  it('skipProcessQuotes treats quotes as ordinary characters', () => {
    assert.deepEqual(processWords(`"a b" 'c`, {}, { skipProcessQuotes: true }), ['"a', `b"`, "'c"]);
  });
});

describe('splitting', () => {
  it('drops empty quoted words and splits unquoted expansions', () => {
    assert.deepEqual(processWords('a "" b', {}), ['a', 'b']);
    assert.deepEqual(processWords('  ', {}), []);
    assert.deepEqual(processWords('x$V"$V"', { V: ' 1  2 ' }), ['x', '1', '2', ' 1  2 ']);
  });
  it('keeps the text before a modifier expansion in the same word', () => {
    assert.deepEqual(processWords('hello${X:-a b}c', {}), ['helloa', 'bc']);
    assert.deepEqual(processWords('pre${X#p}post', { X: 'pv' }), ['prevpost']);
  });
  it('splits at Unicode whitespace (Go unicode.IsSpace) but not at a byte order mark', () => {
    assert.deepEqual(processWords('$V', { V: 'a\u00a0b\u0085c\u3000d\ufeffe' }), ['a', 'b', 'c', 'd\ufeffe']);
  });
});

describe('variables and modifiers', () => {
  it('reads names of letters, digits and _ (Unicode letters included)', () => {
    assert.equal(processWord('$A_1-$é', { A_1: 'a', é: 'e' }), 'a-e');
  });
  it('takes special parameters and leading digit runs as names', () => {
    const result = processWordWithMatches('$12x$@y${#}', {});
    assert.equal(result.result, 'xy');
    assert.deepEqual([...result.unmatched].sort(), ['#', '12', '@']);
  });
  it('only looks at own properties of a record env', () => {
    assert.equal(processWord('[$constructor][$toString][$__proto__]', {}), '[][][]');
  });
  it('keeps a $ that starts no name', () => {
    assert.equal(processWord('a$', {}), 'a$');
    assert.equal(processWord('"$" $. $/', {}), '$ $. $/');
  });
  it('accepts a Map env', () => {
    assert.equal(processWord('$A', new Map([['A', 'a']])), 'a');
  });
  it('removes prefixes and suffixes per shell rules', () => {
    const env = { P: '/usr/local/lib/file.tar.gz' };
    assert.equal(processWord('${P#*/}', env), 'usr/local/lib/file.tar.gz');
    assert.equal(processWord('${P##*/}', env), 'file.tar.gz');
    assert.equal(processWord('${P%.*}', env), '/usr/local/lib/file.tar');
    assert.equal(processWord('${P%%.*}', env), '/usr/local/lib/file');
    assert.equal(processWord('${P%/*}', env), '/usr/local/lib');
    assert.equal(processWord('${P#"/usr"}', env), '/local/lib/file.tar.gz');
  });
  it('* and ? do not match a newline (Go regexp semantics)', () => {
    assert.equal(processWord('${V##*}', { V: 'ab\ncd' }), '\ncd');
    assert.equal(processWord('${V%%?d}', { V: 'ab\ncd' }), 'ab\n');
  });
  it('replaces with patterns, variables and escaped separators', () => {
    assert.equal(processWord('${V/o/0}|${V//o/0}|${V//\\//:}', { V: '/foo/bo' }), '/f0o/bo|/f00/b0|:foo:bo');
    assert.equal(processWord('${V//?/<$R>}', { V: 'ab', R: '$0' }), '<a><b>');
  });
  it('evaluates nested words even when the variable is set, and records their names', () => {
    const result = processWordWithMatches('${A:-$B}${A:+$C}', { A: 'a' });
    assert.equal(result.result, 'a');
    assert.deepEqual([...result.matched].sort(), ['A']);
    assert.deepEqual([...result.unmatched].sort(), ['B', 'C']);
  });
  it('skips a byte order mark at the very start, like Go text/scanner', () => {
    assert.equal(processWord('\ufeffa\ufeff', {}), 'a\ufeff');
  });
});

describe('errors', () => {
  it('${V:?m} and ${V?m} report the name and the expanded message', () => {
    assert.throws(() => processWord('${V:?need $W}', { V: '', W: 'it' }), expansionError('V: need it'));
    assert.throws(() => processWord('${V?}', {}), expansionError('V: is not allowed to be unset'));
    assert.throws(() => processWord('${V:?}', { V: '' }), expansionError('V: is not allowed to be empty'));
  });
  it('names the word that failed', () => {
    assert.throws(() => processWord('a${', {}), expansionError('failed to process "a${"'));
  });
  it('reports BuildKit-like messages', () => {
    const table: readonly [string, string][] = [
      ['${', "missing '}'"],
      ['${X', "missing '}'"],
      ['${X:-a', "missing '}'"],
      ['${}', 'bad substitution'],
      ['${:x}', 'bad substitution'],
      ['${X=y}', 'unsupported modifier (=) in substitution'],
      ['${X:=y}', 'unsupported modifier (:=) in substitution'],
      ['${X:#y}', 'unsupported modifier (:#) in substitution'],
      ['${X/a}', "missing '/' in ${}"],
      ['${X/a/b', "missing '}'"],
      ['"abc', 'matching double-quote'],
      ["'abc", 'matching single-quote'],
      ['${X#\\a}', 'invalid pattern (\\a) in substitution'],
      ['${X:-${}}', 'bad substitution'],
    ];
    for (const [word, message] of table) {
      assert.throws(() => processWord(word, { X: 'x' }), expansionError(message), word);
    }
  });
  it('limits nesting with a KilnError instead of overflowing the stack', () => {
    const nested = (depth: number) => '${A:-'.repeat(depth) + 'x' + '}'.repeat(depth);
    assert.equal(processWord(nested(MAX_NESTING - 1), {}), 'x');
    assert.throws(() => processWord(nested(20_000), {}), expansionError('nested deeper'));
    const quoted = (depth: number) => '"${A:-'.repeat(depth) + 'x' + '}"'.repeat(depth);
    assert.throws(() => processWord(quoted(20_000), {}), expansionError('nested deeper'));
  });
});
