/**
 * The byte sequences that betray a secret: its raw bytes, its JSON-escaped text (as it would appear
 * in a config or history document), its base64 (standard and URL alphabets, each at the three possible
 * alignments inside a longer encoded stream) and its hex (lower and upper case). Each form is computed
 * for the value as given and, when different, for the value with surrounding whitespace trimmed (a
 * secret file's trailing newline is often lost on the way into a layer: `echo $(cat /run/secrets/x)`).
 *
 * Secrets shorter than MIN_SECRET_BYTES are ignored: a 1-3 byte value occurs by chance in any layer
 * and would only produce false alarms. For base64 at alignment 1 and 2 only the characters that depend
 * on the secret's bytes alone are used (4+ characters for a 4-byte secret).
 */

/** Shortest secret (in bytes) that is looked for. */
export const MIN_SECRET_BYTES = 4;

export type SecretForm = 'raw' | 'json' | 'base64' | 'base64url' | 'hex' | 'hex-upper';

/** One pattern to look for and what it stands for. */
export interface SecretPattern {
  readonly secretId: string;
  readonly form: SecretForm;
  readonly bytes: Buffer;
}

/** A secret to look for. */
export interface NamedSecret {
  readonly id: string;
  readonly value: Uint8Array;
}

/**
 * The base64 characters determined only by `value`'s bits when `value` starts `offset` (0, 1, 2)
 * bytes into a 3-byte group of a longer encoded stream.
 */
export function base64Fragment(value: Uint8Array, offset: 0 | 1 | 2): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), value]).toString('base64');
  const firstBit = 8 * offset;
  const endBit = 8 * (offset + value.length);
  const first = Math.ceil(firstBit / 6);
  const last = Math.floor(endBit / 6); // exclusive
  return encoded.slice(first, last);
}

function jsonForms(value: Buffer): string[] {
  const text = value.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(value)) return [];
  const js = JSON.stringify(text).slice(1, -1);
  // Go's encoding/json also escapes <, > and & (and U+2028/2029) as \u00XX.
  const go = js.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [js, go];
}

/** Every distinct pattern for `secrets` (the first form listed wins when two forms give the same bytes). */
export function secretPatterns(secrets: readonly NamedSecret[]): SecretPattern[] {
  const out: SecretPattern[] = [];
  const seen = new Set<string>();
  const add = (secretId: string, form: SecretForm, text: string | Buffer) => {
    const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
    if (bytes.length === 0) return;
    const key = bytes.toString('latin1');
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ secretId, form, bytes });
  };
  for (const secret of secrets) {
    const full = Buffer.from(secret.value);
    const trimmed = Buffer.from(
      full.toString('latin1').replace(/^[ \t\r\n\f\v]+|[ \t\r\n\f\v]+$/g, ''),
      'latin1',
    );
    for (const value of trimmed.length === full.length ? [full] : [full, trimmed]) {
      if (value.length < MIN_SECRET_BYTES) continue;
      add(secret.id, 'raw', value);
      for (const j of jsonForms(value)) add(secret.id, 'json', Buffer.from(j, 'utf8'));
      for (const offset of [0, 1, 2] as const) add(secret.id, 'base64', base64Fragment(value, offset));
      for (const offset of [0, 1, 2] as const) {
        add(secret.id, 'base64url', base64Fragment(value, offset).replace(/\+/g, '-').replace(/\//g, '_'));
      }
      add(secret.id, 'hex', value.toString('hex'));
      add(secret.id, 'hex-upper', value.toString('hex').toUpperCase());
    }
  }
  return out;
}
