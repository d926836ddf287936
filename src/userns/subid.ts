/**
 * Parsing of /etc/subuid and /etc/subgid (shadow-utils format: `owner:start:count`, one per line,
 * where owner is a user name or a numeric uid; `#` comments and blank lines are ignored; a user may
 * own several ranges).
 */

/** One subordinate id range: ids `start .. start+count-1` on the host. */
export interface IdRange {
  readonly start: number;
  readonly count: number;
}

/** One line of a subordinate id file. */
export interface SubIdEntry extends IdRange {
  /** The owner as written: a user name or a decimal uid. */
  readonly owner: string;
  /** 1-based line number, for messages. */
  readonly line: number;
}

const MAX_ID = 0xffff_ffff;

function parseId(text: string): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value <= MAX_ID ? value : undefined;
}

/**
 * Parses the text of a subordinate id file. Malformed lines are skipped (shadow-utils ignores them too);
 * they are returned in `invalidLines` so callers can warn.
 */
export function parseSubIdFile(text: string): {
  readonly entries: readonly SubIdEntry[];
  readonly invalidLines: readonly number[];
} {
  const entries: SubIdEntry[] = [];
  const invalidLines: number[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(':');
    const [owner, startText, countText] = parts;
    const start = parseId(startText ?? '');
    const count = parseId(countText ?? '');
    if (parts.length !== 3 || !owner || start === undefined || count === undefined || count === 0) {
      invalidLines.push(index + 1);
      return;
    }
    if (start + count - 1 > MAX_ID) {
      invalidLines.push(index + 1);
      return;
    }
    entries.push({ owner, start, count, line: index + 1 });
  });
  return { entries, invalidLines };
}

/**
 * The ranges owned by a user, matched by name or by numeric uid, in file order, with exact duplicates
 * removed.
 */
export function rangesForUser(
  entries: readonly SubIdEntry[],
  user: { readonly username: string | undefined; readonly id: number },
): readonly IdRange[] {
  const idText = String(user.id);
  const seen = new Set<string>();
  const out: IdRange[] = [];
  for (const entry of entries) {
    if (entry.owner !== user.username && entry.owner !== idText) continue;
    const key = `${entry.start}:${entry.count}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ start: entry.start, count: entry.count });
  }
  return out;
}

/** Total number of ids in a list of ranges. */
export function rangeTotal(ranges: readonly IdRange[]): number {
  return ranges.reduce((sum, r) => sum + r.count, 0);
}
