import type { ZoneCount } from '../scripts/lib/summaries.js';
import type { RideSections } from '../scripts/serve/dashboardSnapshot.js';
import { barList, dataTable, el, figure } from './dom.js';
import { iso, matches, utcMinute, windowLabel } from './format.js';
import { timeChart } from './timeChart.js';
import { COLORS, color, type ViewState } from './view.js';

/** Zones drawn as bars; the table below lists every zone. */
const BARS = 10;

/** The ride example's sections: pickups over time and by zone, tips, vendors, drop-off zones. */
export function rideSections(rides: RideSections, state: ViewState): HTMLElement[] {
  return [
    ridesPerWindow(rides),
    pickupZones(rides, state),
    tipsPerHour(rides),
    vendorWindows(rides),
    dropoffZones(rides, state),
  ];
}

function chartHost(): HTMLDivElement {
  return el('div', {
    class: 'chart',
    role: 'img',
    'aria-label': 'chart; its numbers are in the table below',
  });
}

/** Charts are drawn once their host is in the page, so uPlot can measure its width. */
function afterAttach(host: HTMLElement, draw: () => void): void {
  requestAnimationFrame(() => {
    if (host.isConnected) draw();
  });
}

function ridesPerWindow(rides: RideSections): HTMLElement {
  const host = chartHost();
  const ws = rides.pickupWindows;
  afterAttach(host, () =>
    timeChart(
      host,
      ws.map((w) => w.windowStartMs),
      [{ label: 'rides', values: ws.map((w) => w.rides), color: COLORS[0], bars: true }],
    ),
  );
  return figure(
    'rides-per-window',
    'Rides per 5-minute window (pickup-5m)',
    host,
    dataTable(
      'pickup-windows',
      'Rides per 5-minute pickup window, UTC',
      [
        { id: 'window', label: 'window (UTC)' },
        { id: 'rides', label: 'rides', numeric: true },
      ],
      ws.map((w) => ({
        attrs: { 'data-window-start': iso(w.windowStartMs) },
        cells: { window: windowLabel(w.windowStartMs, w.windowEndMs), rides: w.rides },
      })),
    ),
  );
}

/** Every zone of the picked window, or summed over all windows. */
function zonesOf(rides: RideSections, windowMs: number | 'all'): ZoneCount[] {
  if (windowMs !== 'all')
    return [...(rides.pickupWindows.find((w) => w.windowStartMs === windowMs)?.top ?? [])];
  const sum = new Map<number, ZoneCount>();
  for (const w of rides.pickupWindows)
    for (const z of w.top)
      sum.set(z.locationId, { ...z, count: (sum.get(z.locationId)?.count ?? 0) + z.count });
  return [...sum.values()].sort((a, b) => b.count - a.count || a.locationId - b.locationId);
}

function zoneTable(id: string, caption: string, zones: readonly ZoneCount[]): HTMLTableElement {
  return dataTable(
    id,
    caption,
    [
      { id: 'rank', label: '#', numeric: true },
      { id: 'zone', label: 'zone' },
      { id: 'borough', label: 'borough' },
      { id: 'key', label: 'location id' },
      { id: 'count', label: 'rides', numeric: true },
    ],
    zones.map((z, i) => ({
      attrs: { 'data-key': String(z.locationId) },
      cells: { rank: i + 1, zone: z.zone, borough: z.borough, key: String(z.locationId), count: z.count },
    })),
  );
}

function pickupZones(rides: RideSections, state: ViewState): HTMLElement {
  const picked = state.windowMs === 'all' ? 'all windows' : utcMinute(state.windowMs);
  const zones = zonesOf(rides, state.windowMs).filter((z) =>
    matches(state.keyFilter, String(z.locationId), z.zone),
  );
  return figure(
    'pickup-zones',
    `Busiest pickup zones, ${picked}`,
    barList(zones.slice(0, BARS).map((z) => ({ label: z.zone, value: z.count }))),
    zoneTable('pickup-zones', `Pickups per zone, ${picked} (UTC)`, zones),
    'Pick another window above; the key filter matches location ids and zone names.',
  );
}

function tipsPerHour(rides: RideSections): HTMLElement {
  const host = chartHost();
  const hs = rides.tipsPerHour;
  afterAttach(host, () =>
    timeChart(
      host,
      hs.map((h) => h.windowStartMs),
      [
        { label: 'tips $ (left)', values: hs.map((h) => Number(h.tips)), color: COLORS[1], bars: true },
        {
          label: 'average tip $ (right)',
          values: hs.map((h) => h.avgTip),
          color: COLORS[0],
          rightAxis: true,
        },
      ],
    ),
  );
  return figure(
    'tips-per-hour',
    'Tips per hour (tips-1h)',
    host,
    dataTable(
      'tips-per-hour',
      'Tips per hour, UTC',
      [
        { id: 'window', label: 'hour (UTC)' },
        { id: 'rides', label: 'rides', numeric: true },
        { id: 'tips', label: 'tips $', numeric: true },
        { id: 'avgTip', label: 'average tip $', numeric: true },
      ],
      hs.map((h) => ({
        attrs: { 'data-window-start': iso(h.windowStartMs) },
        cells: {
          window: windowLabel(h.windowStartMs, h.windowEndMs),
          rides: h.rides,
          tips: { value: Number(h.tips), text: Number(h.tips).toFixed(2) },
          avgTip: { value: h.avgTip, text: h.avgTip.toFixed(2) },
        },
      })),
    ),
  );
}

function vendorWindows(rides: RideSections): HTMLElement {
  const host = chartHost();
  const ws = rides.vendorWindows;
  const vendors = [...new Set(ws.flatMap((w) => Object.keys(w.byVendor)))].sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
  afterAttach(host, () =>
    timeChart(
      host,
      ws.map((w) => w.windowStartMs),
      vendors.map((v, i) => ({
        label: `vendor ${v}`,
        values: ws.map((w) => w.byVendor[v] ?? 0),
        color: color(i),
      })),
    ),
  );
  return figure(
    'vendor-windows',
    'Rides per vendor, 10-minute windows every 5 minutes (vendor-10m-hop-5m)',
    host,
    dataTable(
      'vendor-windows',
      'Rides per vendor per hopping window, UTC',
      [
        { id: 'window', label: 'window (UTC)' },
        ...vendors.map((v) => ({ id: `vendor-${v}`, label: `vendor ${v}`, numeric: true })),
        { id: 'total', label: 'total', numeric: true },
      ],
      ws.map((w) => ({
        attrs: { 'data-window-start': iso(w.windowStartMs) },
        cells: {
          window: windowLabel(w.windowStartMs, w.windowEndMs),
          ...Object.fromEntries(vendors.map((v) => [`vendor-${v}`, w.byVendor[v] ?? 0])),
          total: Object.values(w.byVendor).reduce((a, b) => a + b, 0),
        },
      })),
    ),
    'A ride counts in both windows that overlap its pickup time.',
  );
}

function dropoffZones(rides: RideSections, state: ViewState): HTMLElement {
  const zones = rides.topDropoffZones.filter((z) => matches(state.keyFilter, String(z.locationId), z.zone));
  return figure(
    'dropoff-zones',
    'Top drop-off zones, all time (dropoff-count)',
    barList(zones.map((z) => ({ label: z.zone, value: z.count }))),
    zoneTable('dropoff-zones', 'Rides per drop-off zone, the ten busiest, all time', zones),
  );
}
