/**
 * Hostile variants of a JSON frame for "parse never throws" tests: every value at every depth
 * (object fields and array items) replaced in turn by JSON that breaks String() and Number()
 * (`{"toString":{}}` has no callable toString, so converting it to a primitive throws).
 */

/** Values that throw when an adapter calls String(), Number() or a template literal on them. */
export const HOSTILE_VALUES: readonly unknown[] = [JSON.parse('{"toString":{}}'), JSON.parse('{"toString":{},"valueOf":{}}')];

/** Every variant of `frame` (JSON text) with one value replaced by a hostile one. */
export function hostileVariants(frame: string): string[] {
  let root: unknown;
  try {
    root = JSON.parse(frame);
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (node: unknown, replace: (v: unknown) => unknown) => {
    for (const h of HOSTILE_VALUES) out.push(JSON.stringify(replace(h)));
    if (Array.isArray(node)) {
      node.forEach((child, i) => walk(child, (v) => replace(node.map((c, j) => (j === i ? v : c)))));
    } else if (typeof node === 'object' && node !== null) {
      for (const key of Object.keys(node)) walk((node as Record<string, unknown>)[key], (v) => replace({ ...node, [key]: v }));
    }
  };
  walk(root, (v) => v);
  return out;
}
