/**
 * `--ssh` values as docker buildx reads them: `default`, `ID=SOCKET`, or `ID=KEY[,KEY...]`.
 * `default` without paths means the caller's $SSH_AUTH_SOCK (resolved when agents are started).
 */
import { ErrorCode, KilnError } from '../errors.js';

export interface SshSpec {
  readonly id: string;
  /** An agent socket, or private key files; empty = $SSH_AUTH_SOCK. */
  readonly paths: readonly string[];
}

/** Parses one `--ssh` value (E_USAGE on bad input). */
export function parseSshSpec(spec: string): SshSpec {
  const eq = spec.indexOf('=');
  const id = eq < 0 ? spec : spec.slice(0, eq);
  if (id === '' || /[\s,]/.test(id)) {
    throw new KilnError(ErrorCode.Usage, `invalid --ssh ${JSON.stringify(spec)}: bad id`, {
      hint: 'use --ssh default, --ssh ID=SOCKET or --ssh ID=KEYFILE[,KEYFILE]',
    });
  }
  const paths = eq < 0 ? [] : spec.slice(eq + 1).split(',');
  if (paths.some((p) => p === '')) {
    throw new KilnError(ErrorCode.Usage, `invalid --ssh ${JSON.stringify(spec)}: empty path`);
  }
  return { id, paths };
}

/**
 * True when a private key file's text says it is passphrase-protected: OpenSSH format with a cipher
 * other than `none`, legacy PEM with `Proc-Type: 4,ENCRYPTED`, or PKCS#8 `ENCRYPTED PRIVATE KEY`.
 */
export function isEncryptedPrivateKey(text: string): boolean {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text)) return true;
  if (/^Proc-Type:\s*4,ENCRYPTED/m.test(text)) return true;
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (m === null) return false;
  const blob = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
  const magic = Buffer.from('openssh-key-v1\0', 'latin1');
  if (blob.length < magic.length + 4 || !blob.subarray(0, magic.length).equals(magic)) return false;
  const len = blob.readUInt32BE(magic.length);
  const cipher = blob.subarray(magic.length + 4, magic.length + 4 + len).toString('latin1');
  return cipher !== 'none';
}
