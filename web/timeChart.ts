import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { utcMinute } from './format.js';

/** Tick labels in 24-hour UTC, with the date under the first tick and under midnights. */
function utcTicks(_u: uPlot, splits: number[]): string[] {
  return splits.map((ms, i) => {
    const iso = new Date(ms).toISOString();
    const hhmm = iso.slice(11, 16);
    return i === 0 || hhmm === '00:00' ? `${hhmm}\n${iso.slice(0, 10)}` : hhmm;
  });
}

/** One line (or bars) of a {@link timeChart}. */
export interface TimeSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
  /** Draw bars instead of a line. */
  readonly bars?: boolean;
  /** A second y axis on the right, for a series of another unit (average tip beside tip sums). */
  readonly rightAxis?: boolean;
}

const charts = new WeakMap<HTMLElement, uPlot>();
/**
 * Every chart drawn and not yet destroyed. uPlot keeps each chart in a module-level set (for
 * cursor sync) until `destroy()`, so a chart whose host was merely dropped from the page would
 * live, and repaint on resize, forever: each render destroys the previous render's charts.
 */
const live = new Set<uPlot>();

/** Destroys every chart drawn so far; call before replacing the sections that hold them. */
export function destroyCharts(): void {
  for (const chart of live) chart.destroy();
  live.clear();
}

/**
 * A time chart with uPlot: x in epoch ms shown in UTC, one series per entry. The previous
 * chart in `host` is replaced: a few hundred points redraw in well under a frame.
 */
export function timeChart(host: HTMLElement, xsMs: readonly number[], series: readonly TimeSeries[]): void {
  const previous = charts.get(host);
  if (previous) {
    previous.destroy();
    live.delete(previous);
  }
  const width = Math.max(320, host.clientWidth || 720);
  const right = series.some((s) => s.rightAxis);
  const chart = new uPlot(
    {
      width,
      height: 220,
      ms: 1,
      tzDate: (ms) => uPlot.tzDate(new Date(ms), 'Etc/UTC'),
      scales: { x: { time: true }, ...(right ? { r: { auto: true } } : {}) },
      axes: [
        { values: utcTicks },
        { size: 56 },
        ...(right ? [{ scale: 'r', side: 1, size: 56, grid: { show: false } }] : []),
      ],
      series: [
        { label: 'window start (UTC)', value: (_u, ms) => (ms == null ? '–' : utcMinute(ms)) },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          ...(s.rightAxis ? { scale: 'r' } : {}),
          ...(s.bars ? { fill: `${s.color}55`, paths: uPlot.paths.bars!({ size: [0.7, 40] }) } : {}),
        })),
      ],
    },
    [xsMs as number[], ...series.map((s) => s.values as (number | null)[])],
    host,
  );
  charts.set(host, chart);
  live.add(chart);
}
