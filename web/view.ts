import type { DashboardSnapshot } from '../scripts/serve/dashboardSnapshot.js';

/** What the reader chose: a window (its start, epoch ms) or every window, and a key filter. */
export interface ViewState {
  readonly snapshot: DashboardSnapshot;
  readonly windowMs: number | 'all';
  readonly keyFilter: string;
}

/** Series colours, distinguishable for the common colour-vision deficiencies (Okabe–Ito). */
export const COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'] as const;

/** The n-th series colour. */
export function color(i: number): string {
  return COLORS[i % COLORS.length]!;
}

export type { DashboardSnapshot };
