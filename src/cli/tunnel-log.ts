/** kcptun-style log lines (timestamped, stderr or --log FILE). */
import { appendFileSync } from 'node:fs';

export type Log = (...parts: unknown[]) => void;

function stamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function makeLog(file: string): Log {
  return (...parts) => {
    const line = `${stamp()} ${parts.map((p) => (p instanceof Error ? p.message : String(p))).join(' ')}\n`;
    if (file) appendFileSync(file, line);
    else process.stderr.write(line);
  };
}
