/**
 * Messages between the harness and its child processes (Node IPC). Each request carries an id;
 * the child answers with the same id, so requests can overlap.
 */

/** Counters the exporter child reads from its own state (no scrape needed). */
export interface ExporterCounters {
  /** performance.now() in the child when read, ms. */
  t: number;
  /** CPU time the child has used (user + system), µs. */
  cpuUs: number;
  messages: number;
  /** Sum of market_trades_total over every symbol. */
  trades: number;
  conflated: number;
  errors: number;
  seqGaps: number;
  /** Sum of market_bar_late_trades_total: trades for a bar already closed (not applied to it). */
  lateTrades: number;
  queueDepth: number;
}

export interface LatencyStats {
  /** Events applied with an arrival stamp since the last reset. */
  count: number;
  /** Conflated (merged) records applied since the last reset. */
  merged: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** First arrival to last apply since the last reset (the drain time of a burst), ms. */
  spanMs: number;
  /** First to last arrival since the last reset, ms. */
  arrivalSpanMs: number;
}

export interface MemoryStats {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Memory outside the JS heap held by JS objects (Buffers, typed arrays). */
  externalBytes: number;
  /** Highest RSS since the last memory reset, as the kernel keeps it (bench/peak-rss.ts). */
  peakRssBytes: number;
}

export type ExporterRequest =
  | { id: number; cmd: 'counters' }
  | { id: number; cmd: 'probe-on' }
  | { id: number; cmd: 'probe-off' }
  | { id: number; cmd: 'latency-reset' }
  | { id: number; cmd: 'latency' }
  | { id: number; cmd: 'stall-start' }
  | { id: number; cmd: 'stall-stop' }
  | { id: number; cmd: 'memory-reset' }
  | { id: number; cmd: 'memory' }
  | { id: number; cmd: 'stop' };

export type CeilingRequest = { id: number; cmd: 'count' } | { id: number; cmd: 'stop' };

export interface CeilingCount {
  t: number;
  cpuUs: number;
  frames: number;
  bytes: number;
}

/** The first message a child sends once it is ready for requests. */
export interface ReadyMessage {
  ready: true;
  /** The exporter's http://host:port. */
  url?: string;
}

export interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}
