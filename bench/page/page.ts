/** Runs the micro benchmarks in the browser (pure TypeScript ciphers) for bench/run.ts. */
import { runMicro } from '../micro.js';

(globalThis as { runBench?: (ms: number) => unknown }).runBench = (ms: number) => runMicro({ ms });
