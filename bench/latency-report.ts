/**
 * Runs the game-traffic latency bench (bench/latency.ts) with the size the
 * environment asks for, and renders it: markdown tables for
 * bench/results/bench.md and the README, and a hand-written SVG chart,
 * docs/latency.svg.
 *
 *   BENCH_LATENCY=full       kcptun's other fast modes, 30 Hz too, 60 s per level
 *   BENCH_LATENCY_S=N        seconds per loss level (default 50: ~4 min in all)
 *   BENCH_LATENCY_DELAY=MS   one-way delay of the link (default 20)
 *   BENCH_LATENCY_LOSS=0,5   loss levels in % (default 0,5,10,20)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { latencyMatrix, NICE_PREFIX, type LatencyCell, type LatencyResult } from './latency.js';
import { MESSAGE_BYTES } from './latency-options.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface LatencySection {
  result: LatencyResult | { skipped: string };
  markdown: string;
}

const ms = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '–');

export function latencyMarkdown(r: LatencyResult, command: string, load: string): string {
  const parts: string[] = [];
  parts.push(
    `Small messages (${MESSAGE_BYTES} bytes) both ways at a game's rates, every flow at once on one link: ${r.delayMs} ms each way (a userspace delay, bench/delaylink) and random loss on every packet each way (nftables), ${r.seconds} s per loss level; the link and both ends ${r.niced ? `at ${NICE_PREFIX.join(' ')} (the ordinary scheduler: other load on the machine still delays them)` : 'at normal priority (nice was refused), so other load on the machine shows in every flow'}. One-way delay per message, both directions pooled, in ms: p50 / p99 / p99.9 (each flow's first 2 s not counted). Bytes: IP bytes on the link, both ways, per message sent, and that over the ${MESSAGE_BYTES}-byte payload, at 0% loss. Command: \`${command}\`; ${load}.`,
  );
  for (const hz of [...new Set(r.cells.map((c) => c.hz))]) {
    const cells = r.cells.filter((c) => c.hz === hz);
    const settings = [...new Set(cells.map((c) => c.setting))];
    parts.push(
      [
        `| ${hz} Hz each way | bytes per message | ${r.levels.map((l) => `${l}% loss`).join(' | ')} |`,
        `|---|---|${r.levels.map(() => '---').join('|')}|`,
        ...settings.map((s) => {
          const at = (l: number) => cells.find((c) => c.setting === s && c.loss === l);
          const base = at(r.levels[0]!);
          const bytes = base ? `${base.wireBytesPerMessage.toFixed(0)} (${base.overhead.toFixed(1)}×)` : '–';
          const cell = (c?: LatencyCell) => (c ? `${ms(c.oneWay.p50)} / ${ms(c.oneWay.p99)} / ${ms(c.oneWay.p999)}${c.oneWay.missingPct >= 0.05 ? ` (${c.oneWay.missingPct.toFixed(1)}% lost)` : ''}` : '–');
          return `| ${s} | ${bytes} | ${r.levels.map((l) => cell(at(l))).join(' | ')} |`;
        }),
      ].join('\n'),
    );
  }
  return parts.join('\n\n');
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#e7298a', '#000000', '#a6761d', '#66a61e', '#6a3d9a'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;');

/** One panel per rate: for each loss level a group, for each setting a bar from p50 to p99 and a line on to p99.9, on a log scale. */
export function latencySvg(r: LatencyResult): string {
  const rates = [...new Set(r.cells.map((c) => c.hz))];
  const settings = [...new Set(r.cells.map((c) => c.setting))];
  const slot = 13;
  const groupGap = 28;
  const left = 58;
  const groupW = settings.length * slot;
  const plotW = r.levels.length * groupW + (r.levels.length - 1) * groupGap;
  const width = left + plotW + 20;
  const panelH = 230;
  const top = 40;
  const legendRows = Math.ceil(settings.length / 3);
  const height = top + rates.length * (panelH + 50) + legendRows * 18 + 20;
  const values = r.cells.flatMap((c) => [c.oneWay.p50, c.oneWay.p999]).filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(1, Math.min(...values)))));
  const top10 = Math.pow(10, Math.floor(Math.log10(Math.max(...values))));
  const hi = [1, 2, 5, 10].map((m) => m * top10).find((v) => v >= Math.max(...values))!;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="${left}" y="18" font-size="13" font-weight="bold">One-way message delay under loss (${r.delayMs} ms link each way): bar p50–p99, line to p99.9, log scale</text>`);
  rates.forEach((hz, ri) => {
    const y0 = top + ri * (panelH + 50);
    const y = (v: number) => y0 + panelH - ((Math.log10(Math.max(lo, v)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * panelH;
    out.push(`<text x="${left}" y="${y0 - 6}" font-weight="bold">${hz} messages/s each way</text>`);
    for (let d = lo; d <= hi; d *= 10) {
      for (const m of [1, 2, 5]) {
        const v = d * m;
        if (v > hi) break;
        out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${m === 1 ? '#ccc' : '#eee'}"/>`);
        out.push(`<text x="${left - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${v} ms</text>`);
      }
    }
    r.levels.forEach((loss, li) => {
      const gx = left + li * (groupW + groupGap);
      out.push(`<text x="${gx + groupW / 2}" y="${y0 + panelH + 16}" text-anchor="middle">${loss}% loss</text>`);
      settings.forEach((s, si) => {
        const c = r.cells.find((x) => x.hz === hz && x.loss === loss && x.setting === s);
        if (!c || !(c.oneWay.n > 0)) return;
        const x = gx + si * slot + slot / 2;
        const color = PALETTE[si % PALETTE.length]!;
        const title = `<title>${esc(c.label)}, ${loss}% loss: p50 ${ms(c.oneWay.p50)}, p99 ${ms(c.oneWay.p99)}, p99.9 ${ms(c.oneWay.p999)} ms</title>`;
        out.push(`<g>${title}<line x1="${x}" x2="${x}" y1="${y(c.oneWay.p99).toFixed(1)}" y2="${y(c.oneWay.p999).toFixed(1)}" stroke="${color}" stroke-width="1.5"/>`);
        out.push(`<rect x="${x - 4}" y="${y(c.oneWay.p99).toFixed(1)}" width="8" height="${Math.max(1.5, y(c.oneWay.p50) - y(c.oneWay.p99)).toFixed(1)}" fill="${color}"/></g>`);
      });
    });
  });
  const ly = top + rates.length * (panelH + 50);
  const colW = Math.floor(plotW / 3);
  settings.forEach((s, si) => {
    const x = left + (si % 3) * colW;
    const yy = ly + Math.floor(si / 3) * 18;
    out.push(`<rect x="${x}" y="${yy - 9}" width="10" height="10" fill="${PALETTE[si % PALETTE.length]}"/><text x="${x + 14}" y="${yy}">${esc(s)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export async function runLatencySection(progress: (m: string) => void): Promise<LatencySection> {
  try {
    execFileSync('sh', ['-c', 'command -v nft || apt-get install -y nftables || (apt-get update && apt-get install -y nftables)'], { stdio: 'ignore' });
  } catch {
    /* latencyMatrix reports it missing */
  }
  const full = process.env.BENCH_LATENCY === 'full';
  const seconds = Number(process.env.BENCH_LATENCY_S ?? (full ? 60 : 50));
  const delayMs = Number(process.env.BENCH_LATENCY_DELAY ?? 20);
  const levels = (process.env.BENCH_LATENCY_LOSS ?? '0,5,10,20').split(',').map(Number);
  const loadBefore = loadavg()[0]!;
  const result = await latencyMatrix({ levels, seconds, delayMs, full, progress });
  if ('skipped' in result) return { result, markdown: `latency: skipped (${result.skipped})` };
  const env = [full ? 'BENCH_LATENCY=full' : '', process.env.BENCH_LATENCY_S ? `BENCH_LATENCY_S=${seconds}` : '', process.env.BENCH_LATENCY_DELAY ? `BENCH_LATENCY_DELAY=${delayMs}` : '', process.env.BENCH_LATENCY_LOSS ? `BENCH_LATENCY_LOSS=${levels.join(',')}` : ''].filter(Boolean).join(' ');
  const load = `${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), load average ${loadBefore.toFixed(1)} before and ${loadavg()[0]!.toFixed(1)} after, ${new Date().toISOString().slice(0, 10)}`;
  const markdown = latencyMarkdown(result, `${env ? `${env} ` : ''}npm run bench:latency`, load);
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  writeFileSync(`${ROOT}bench/results/latency.md`, `${markdown}\n`);
  writeFileSync(`${ROOT}bench/results/latency.json`, JSON.stringify({ load, ...result }, null, 1));
  mkdirSync(`${ROOT}docs`, { recursive: true });
  writeFileSync(`${ROOT}docs/latency.svg`, latencySvg(result));
  progress('wrote bench/results/latency.{md,json} and docs/latency.svg');
  return { result, markdown };
}
