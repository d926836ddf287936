/**
 * `COPY/ADD --chmod` values: an octal mode up to 07777, or a symbolic mode as chmod(1) writes it
 * (`u=rwx,go=rx`, `a+x`, `g-w`, `o=u`), which BuildKit accepts since Dockerfile 1.14.
 */

/** One symbolic clause: who, then one or more operations with permissions or a copied class. */
const SYMBOLIC_CLAUSE = /^[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+$/;

/** Whether `value` is a mode BuildKit accepts for `--chmod`. */
export function isValidChmod(value: string): boolean {
  if (/^[0-7]+$/.test(value)) return Number.parseInt(value, 8) <= 0o7777;
  return value !== '' && value.split(',').every((clause) => SYMBOLIC_CLAUSE.test(clause));
}

/** The error message for an invalid `--chmod` value. */
export function chmodError(value: string): string {
  return `invalid chmod parameter: '${value}'. it should be octal string like 0755 or symbolic string like u=rwx,go=rx`;
}
