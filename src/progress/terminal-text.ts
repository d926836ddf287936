/**
 * Terminal text helpers for the live view: ANSI sequences, making untrusted output safe to draw
 * (a RUN step's output must not move our cursor), and clipping by display width.
 */

/** Control Sequence Introducer. */
const CSI = '\u001b[';

/** ANSI sequences the live view uses. */
export const ansi = {
  /** Moves the cursor up `n` lines (nothing for 0). */
  up: (n: number): string => (n > 0 ? `${CSI}${n}A` : ''),
  /** Erases the whole current line. */
  eraseLine: `${CSI}2K`,
  /** Erases from the cursor to the end of the screen. */
  eraseDown: `${CSI}J`,
  red: (text: string): string => `${CSI}31m${text}${CSI}0m`,
  yellow: (text: string): string => `${CSI}33m${text}${CSI}0m`,
  blue: (text: string): string => `${CSI}34m${text}${CSI}0m`,
  dim: (text: string): string => `${CSI}2m${text}${CSI}0m`,
} as const;

// CSI … final byte, OSC … BEL/ST, and two-byte escapes.
const ANSI_RE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Removes ANSI escape sequences (for tests and for sanitising output). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_RE, '');
}

/**
 * One line of untrusted output made safe for the live view: escape sequences removed, only the text after
 * the last carriage return kept (what a terminal would show for `\r` progress bars), tabs expanded to
 * 8-column stops, other control characters dropped.
 */
export function sanitizeLine(line: string): string {
  let text = stripAnsi(line).replace(/[\r\n]+$/, '');
  const cr = text.lastIndexOf('\r');
  if (cr >= 0) text = text.slice(cr + 1);
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\t') out += ' '.repeat(8 - (displayWidth(out) % 8));
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) continue;
    else out += ch;
  }
  return out;
}

/** Columns a code point takes: 0 for combining marks, 2 for wide (CJK, fullwidth, emoji), else 1. */
export function charWidth(code: number): number {
  if (
    (code >= 0x0300 && code <= 0x036f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    (code >= 0x1ab0 && code <= 0x1aff) ||
    (code >= 0x20d0 && code <= 0x20ff)
  ) {
    return 0;
  }
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Display width of text without escape sequences. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch.codePointAt(0) ?? 0);
  return width;
}

/** Clips text (without escape sequences) to `width` columns, ending in `…` when something was cut. */
export function clipToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch.codePointAt(0) ?? 0);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}
