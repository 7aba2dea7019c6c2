import './page.css';
import { deadLetterSection } from './deadLetters.js';
import { el } from './dom.js';
import { windowLabel } from './format.js';
import { gapSection } from './gaps.js';
import { pipelineCounts, pipelineSection } from './pipelineSections.js';
import { rideSections } from './rideSections.js';
import { destroyCharts } from './timeChart.js';
import type { DashboardSnapshot, ViewState } from './view.js';

/**
 * The page: one server-sent-event stream brings the whole snapshot whenever the store
 * changes; the window picker and the key filter redraw from the snapshot in hand.
 */

const RIDE_PIPELINES = new Set(['pickup-5m', 'tips-1h', 'vendor-10m-hop-5m', 'dropoff-count']);

const app = document.getElementById('app')!;
const status = document.getElementById('status')!;
const picker = document.getElementById('window-picker') as HTMLSelectElement;
const keyFilter = document.getElementById('key-filter') as HTMLInputElement;
const sections = el('div');
const deadLetters = deadLetterSection();
app.append(sections, deadLetters.element);

let snapshot: DashboardSnapshot | undefined;

/** Window starts to pick from: the 5-minute pickup windows, or every windowed pipeline's. */
function windowsOf(s: DashboardSnapshot): { startMs: number; endMs: number; label: string }[] {
  if (s.rides) {
    return s.rides.pickupWindows.map((w) => ({
      startMs: w.windowStartMs,
      endMs: w.windowEndMs,
      label: `${windowLabel(w.windowStartMs, w.windowEndMs)} (${w.rides} rides)`,
    }));
  }
  const starts = new Map<number, number>();
  for (const p of s.pipelines)
    if (p.view.type === 'series') for (const t of p.view.totals) starts.set(t.windowStartMs, t.windowEndMs);
  return [...starts]
    .sort(([a], [b]) => a - b)
    .map(([startMs, endMs]) => ({ startMs, endMs, label: windowLabel(startMs, endMs) }));
}

/** Refills the picker, keeping the reader's choice; the first time, the busiest pickup window. */
function fillPicker(s: DashboardSnapshot): void {
  const chosen = picker.value;
  const windows = windowsOf(s);
  picker.replaceChildren(
    el('option', { value: 'all' }, 'all windows'),
    ...windows.map((w) => el('option', { value: String(w.startMs) }, w.label)),
  );
  const busiest = s.rides?.pickupWindows.reduce(
    (a, b) => (b.rides > a.rides ? b : a),
    s.rides.pickupWindows[0]!,
  );
  const values = new Set(['all', ...windows.map((w) => String(w.startMs))]);
  picker.value = values.has(chosen) ? chosen : busiest ? String(busiest.windowStartMs) : 'all';
}

function render(): void {
  if (!snapshot) return;
  const state: ViewState = {
    snapshot,
    windowMs: picker.value === 'all' || picker.value === '' ? 'all' : Number(picker.value),
    keyFilter: keyFilter.value,
  };
  destroyCharts();
  const gaps = gapSection(snapshot.gaps);
  sections.replaceChildren(
    // First: while a gap is open every number below is short by its records.
    ...(gaps ? [gaps] : []),
    ...(snapshot.rides ? rideSections(snapshot.rides, state) : []),
    pipelineCounts(snapshot.pipelines),
    ...snapshot.pipelines
      .filter((p) => !(snapshot?.rides && RIDE_PIPELINES.has(p.name)))
      .map((p) => pipelineSection(p, state)),
  );
  deadLetters.update(snapshot.deadLetters);
}

function setStatus(state: 'live' | 'unavailable' | 'reconnecting', text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

picker.addEventListener('change', render);
keyFilter.addEventListener('input', render);
// A chart's width is measured when drawn: redraw when the window is resized.
let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(render, 200);
});

// Server-sent events rather than polling from the page: the server reads the store once for
// every open tab and sends only changes; EventSource reconnects by itself after a restart.
const events = new EventSource('api/events');
let updates = 0;
events.addEventListener('snapshot', (e) => {
  snapshot = JSON.parse((e as MessageEvent<string>).data) as DashboardSnapshot;
  updates += 1;
  status.dataset.updates = String(updates);
  fillPicker(snapshot);
  render();
  setStatus('live', `live · updated ${new Date().toISOString().slice(11, 19)} UTC`);
});
events.addEventListener('unavailable', (e) => {
  const { message } = JSON.parse((e as MessageEvent<string>).data) as { message: string };
  setStatus('unavailable', `store unavailable: ${message} (showing the last data read)`);
});
events.addEventListener('error', () => setStatus('reconnecting', 'connection lost, reconnecting…'));
