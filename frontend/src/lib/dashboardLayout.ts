// The dashboard grid's layout: 12 columns, rows of a fixed height, every widget a rectangle
// {x, y, w, h} in cells. Pure functions (no DOM): place a new widget in the first free spot,
// move or resize one pushing the widgets it lands on down, and compact everything upwards so
// no row is left empty above a widget. Tested by dashboardLayout.test.ts.

export const GRID_COLUMNS = 12;
export const MAX_H = 40;

export interface Box {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export function collides(a: Box, b: Box): boolean {
  return a.id !== b.id && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** A box inside the grid: 1 <= w <= columns, x + w <= columns, 1 <= h <= MAX_H, x, y >= 0. */
export function clampBox<T extends Box>(b: T, columns = GRID_COLUMNS): T {
  const w = Math.max(1, Math.min(columns, Math.round(b.w)));
  const h = Math.max(1, Math.min(MAX_H, Math.round(b.h)));
  const x = Math.max(0, Math.min(columns - w, Math.round(b.x)));
  const y = Math.max(0, Math.round(b.y));
  return { ...b, x, y, w, h };
}

/** The first spot (top to bottom, left to right) where a w x h box overlaps nothing. */
export function firstFree(items: Box[], w: number, h: number, columns = GRID_COLUMNS): { x: number; y: number } {
  const size = clampBox({ id: "\u0000new", x: 0, y: 0, w, h }, columns);
  const bottom = items.reduce((m, b) => Math.max(m, b.y + b.h), 0);
  for (let y = 0; y <= bottom; y++)
    for (let x = 0; x + size.w <= columns; x++) {
      const probe = { ...size, x, y };
      if (!items.some((b) => collides(probe, b))) return { x, y };
    }
  return { x: 0, y: bottom };
}

const byPosition = (a: Box, b: Box) => a.y - b.y || a.x - b.x;

/** Every box moved up as far as it goes without overlapping the boxes above it; order kept. */
export function compact<T extends Box>(items: T[]): T[] {
  return compactAround(items, null);
}

/** `fixed` stays where it is; every box it or a pushed box lands on goes down below it. */
function pushDown<T extends Box>(items: T[], fixed: T): T[] {
  const placed: T[] = [fixed];
  const others = items.filter((b) => b.id !== fixed.id).sort(byPosition);
  for (const b of others) {
    let cur = { ...b };
    for (;;) {
      const hit = placed.filter((p) => collides(cur, p));
      if (hit.length === 0) break;
      cur = { ...cur, y: Math.max(...hit.map((p) => p.y + p.h)) };
    }
    placed.push(cur);
  }
  const at = new Map(placed.map((p) => [p.id, p]));
  return items.map((b) => at.get(b.id) as T);
}

/** Widget `id` moved to (x, y) (clamped into the grid); the others make room, then compaction. */
export function moveBox<T extends Box>(items: T[], id: string, x: number, y: number, columns = GRID_COLUMNS): T[] {
  const b = items.find((i) => i.id === id);
  if (!b) return items;
  const moved = clampBox({ ...b, x, y }, columns);
  return settle(items.map((i) => (i.id === id ? moved : i)), moved);
}

/** Widget `id` resized to w x h (clamped: it keeps its x and stays inside the grid). */
export function resizeBox<T extends Box>(items: T[], id: string, w: number, h: number, columns = GRID_COLUMNS): T[] {
  const b = items.find((i) => i.id === id);
  if (!b) return items;
  const sized = clampBox({ ...b, w: Math.min(w, columns - b.x), h }, columns);
  return settle(items.map((i) => (i.id === id ? sized : i)), sized);
}

function settle<T extends Box>(items: T[], fixed: T): T[] {
  // the fixed box first among equals, so compaction does not slide others above it into its place
  return compactAround(pushDown(items, fixed), fixed.id);
}

/** Compaction in which the box `id` wins ties: it is placed before boxes starting on its row. */
function compactAround<T extends Box>(items: T[], id: string | null): T[] {
  const order = [...items].sort((a, b) => a.y - b.y || (a.id === id ? -1 : b.id === id ? 1 : a.x - b.x));
  const placed: T[] = [];
  for (const b of order) {
    let cur = { ...b };
    while (cur.y > 0 && !placed.some((p) => collides({ ...cur, y: cur.y - 1 }, p))) cur = { ...cur, y: cur.y - 1 };
    // it may overlap a box placed before it (one moved onto it): it goes below
    for (;;) {
      const hit = placed.filter((p) => collides(cur, p));
      if (hit.length === 0) break;
      cur = { ...cur, y: Math.max(...hit.map((p) => p.y + p.h)) };
    }
    placed.push(cur);
  }
  const at = new Map(placed.map((p) => [p.id, p]));
  return items.map((b) => at.get(b.id) as T);
}

/** True when no two boxes overlap and every box is inside the grid. */
export function isValidLayout(items: Box[], columns = GRID_COLUMNS): boolean {
  for (const b of items) {
    if (b.x < 0 || b.y < 0 || b.w < 1 || b.h < 1 || b.h > MAX_H || b.x + b.w > columns) return false;
    if (items.some((o) => collides(b, o))) return false;
  }
  return true;
}

/** A widget id not used yet: "w1", "w2", ... */
export function newId(items: Box[]): string {
  const used = new Set(items.map((b) => b.id));
  let n = items.length + 1;
  while (used.has(`w${n}`)) n++;
  return `w${n}`;
}
