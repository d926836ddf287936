import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goQuote, goQuoteList } from '../../../src/dockerfile/parser/index.js';

describe('goQuote (strconv.Quote)', () => {
  const cases: Array<[string, string]> = [
    ['', '""'],
    ['plain text', '"plain text"'],
    ['"\\', '"\\"\\\\"'],
    ['\u0007\b\f\n\r\t\v', '"\\a\\b\\f\\n\\r\\t\\v"'],
    ['\u0000\u001f\u007f', '"\\x00\\x1f\\x7f"'],
    ['\u0080\u0085\u00a0', '"\\u0080\\u0085\\u00a0"'],
    ['é♥☃한국어', '"é♥☃한국어"'],
    ['\u200b\ufeff\u2028', '"\\u200b\\ufeff\\u2028"'],
    ['😀', '"😀"'],
    ['\u{e0001}', '"\\U000e0001"'],
    ['\ud800x', '"\\xed\\xa0\\x80x"'],
    ['\u0301', '"\u0301"'],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => {
      assert.equal(goQuote(input), expected);
    });
  }

  it('quotes a list like %q of []string', () => {
    assert.equal(goQuoteList(['--a=b', 'c d']), '["--a=b" "c d"]');
    assert.equal(goQuoteList([]), '[]');
  });
});
