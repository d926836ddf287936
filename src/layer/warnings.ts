/** Non-fatal problems met while applying or diffing a layer. */
export interface LayerWarning {
  readonly kind: 'device-skipped' | 'xattr-ignored' | 'xattr-failed' | 'whiteout-meta-ignored' | 'unreadable';
  /** The entry name or path concerned ('' when the tool did not say). */
  readonly path: string;
  readonly message: string;
}
