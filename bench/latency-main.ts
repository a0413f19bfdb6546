/**
 * `npm run bench:latency`: the game-traffic latency section of `npm run
 * bench` alone. Writes bench/results/latency.{md,json} and docs/latency.svg.
 */
import { runLatencySection } from './latency-report.js';

const out = await runLatencySection((m) => process.stderr.write(`[bench] ${m}\n`));
console.log(out.markdown);
