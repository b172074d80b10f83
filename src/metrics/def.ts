/** What a metric family is to Prometheus: name, type, help and label names (values come from its reader). */

export type MetricType = 'gauge' | 'counter' | 'histogram';

export interface MetricDef {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
}

export const def = <const N extends string>(
  name: N,
  type: MetricType,
  labels: readonly string[],
  help: string,
  buckets?: readonly number[],
) => ({ name, type, labels, help, ...(buckets ? { buckets } : {}) }) as const;

export const X = ['exchange'] as const;
export const XS = ['exchange', 'symbol'] as const;
