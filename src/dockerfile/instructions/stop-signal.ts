/**
 * STOPSIGNAL values as moby's signal.ParseSignal accepts them on Linux: a positive number, or a signal
 * name with or without `SIG`, in any case (`SIGTERM`, `term`, `RTMIN+3`).
 */
const NAMES: ReadonlySet<string> = new Set([
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

/** Whether `value` is a non-zero signal number (as Go's Atoi reads it) or names a signal (`RTMIN+1`…`RTMIN+15`, `RTMAX-14`…`RTMAX-1` included). */
export function isValidStopSignal(value: string): boolean {
  if (/^[+-]?\d+$/.test(value)) return Number.parseInt(value, 10) !== 0;
  const name = value.toUpperCase().replace(/^SIG/, '');
  if (NAMES.has(name)) return true;
  const rt = /^RT(MIN\+|MAX-)(\d+)$/.exec(name);
  if (rt === null) return false;
  const n = Number.parseInt(rt[2]!, 10);
  return n >= 1 && n <= (rt[1] === 'MIN+' ? 15 : 14);
}
