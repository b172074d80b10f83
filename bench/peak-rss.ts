/**
 * A process's peak RSS as the kernel keeps it (VmHWM in /proc/self/status), and its reset
 * (writing 5 to /proc/self/clear_refs, Linux 4.0+). Exact, with nothing running in between: the
 * bench used to sample process.memoryUsage.rss() every 100 ms on the exporter's main thread, which
 * missed any peak between two samples, and a CPU profile of the exporter under load at 10k symbols
 * put 49 ms of one busy stretch of its loop in those reads (wall-clock samples: the thread may
 * also have been waiting for a CPU). Linux only, as the bench is.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** A field of a /proc/<pid>/status text counted in kB (VmHWM, RssAnon, ...), in bytes; NaN when the line is missing. */
export function statusBytes(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** VmHWM of a /proc/<pid>/status text, in bytes; NaN when the line is missing. */
export function parseHwm(status: string): number {
  return statusBytes(status, 'VmHWM');
}

/** This process's peak RSS since it started or since the last resetPeakRss(), in bytes. */
export function peakRss(): number {
  const hwm = parseHwm(readFileSync('/proc/self/status', 'utf8'));
  if (hwm !== hwm) throw new Error('/proc/self/status has no VmHWM line: the bench needs Linux');
  return hwm;
}

/** Start a new peak: from now on peakRss() is the highest RSS since this call. */
export function resetPeakRss(): void {
  writeFileSync('/proc/self/clear_refs', '5');
}
