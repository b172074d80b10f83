// Writes docs/metrics.md from the metric catalogue, and the indicator sections of docs/config.md
// from the indicator registries.
import { readFileSync, writeFileSync } from 'node:fs';
import { withIndicatorDocs } from '../src/indicators/doc.js';
import { metricsMarkdown } from '../src/metrics/doc.js';

writeFileSync(new URL('../docs/metrics.md', import.meta.url), metricsMarkdown());
console.log('wrote docs/metrics.md');
const config = new URL('../docs/config.md', import.meta.url);
writeFileSync(config, withIndicatorDocs(readFileSync(config, 'utf8')));
console.log('wrote the indicator sections of docs/config.md');
