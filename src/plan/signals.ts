/**
 * STOPSIGNAL validation as moby/sys/signal.ParseSignal does it on Linux: a positive number, or a
 * signal name with or without `SIG` (any case), including `RTMIN+n` / `RTMAX-n`.
 */
const LINUX_SIGNALS: ReadonlySet<string> = new Set([
  'ABRT',
  'ALRM',
  'BUS',
  'CHLD',
  'CLD',
  'CONT',
  'FPE',
  'HUP',
  'ILL',
  'INT',
  'IO',
  'IOT',
  'KILL',
  'PIPE',
  'POLL',
  'PROF',
  'PWR',
  'QUIT',
  'SEGV',
  'STKFLT',
  'STOP',
  'SYS',
  'TERM',
  'TRAP',
  'TSTP',
  'TTIN',
  'TTOU',
  'UNUSED',
  'URG',
  'USR1',
  'USR2',
  'VTALRM',
  'WINCH',
  'XCPU',
  'XFSZ',
  'RTMIN',
  'RTMAX',
]);

/** True when `raw` names a Linux signal the runtime can send. */
export function isValidSignal(raw: string): boolean {
  if (/^\d+$/.test(raw)) return Number.parseInt(raw, 10) > 0;
  const name = raw.toUpperCase().replace(/^SIG/, '');
  if (LINUX_SIGNALS.has(name)) return true;
  const rt = /^RT(MIN\+|MAX-)(\d+)$/.exec(name);
  return rt !== null && Number.parseInt(rt[2]!, 10) >= 1 && Number.parseInt(rt[2]!, 10) <= 15;
}
