// Tick labels for the chart axes: every label of one axis distinct, and precise enough that
// each one names its own tick and not a neighbour's, at any scale (1e-9 .. 1e9, negative,
// mixed signs, a tiny span around a large offset like 1000.0001 .. 1000.0002).
//
// A label set is checked as a whole: the fewest decimals (or significant digits) with which
// every label is within a hundredth of the gap to its nearest neighbour (and of its own
// size: a log axis's 1e-6 is not "0"), so two ticks never
// read the same and none reads as another. Fixed notation is kept while it is short, else
// the exponent form (1.5e-9, 2.5e+9 written as 2.5e9).

const MAX_DIGITS = 17;

/** The gap from each tick to its nearest neighbour (a lone tick: its own size, or 1). */
function gaps(values: number[]): number[] {
  return values.map((v, i) => {
    let g = Infinity;
    if (i > 0) g = Math.min(g, Math.abs(v - values[i - 1]));
    if (i < values.length - 1) g = Math.min(g, Math.abs(values[i + 1] - v));
    if (!Number.isFinite(g) || g === 0) g = Math.abs(v) || 1;
    return g;
  });
}

function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

function fixed(v: number, decimals: number): string {
  const s = stripZeros(v.toFixed(decimals));
  return s === "-0" ? "0" : s;
}

function exponent(v: number, digits: number): string {
  if (v === 0) return "0";
  const [m, e] = v.toExponential(digits - 1).split("e");
  const label = `${stripZeros(m)}e${e.startsWith("+") ? e.slice(1) : e}`;
  // near 1 the plain number is as short: 1e0 reads 1, 2.5e-2 reads 0.025
  return Math.abs(Number(e)) <= 2 ? String(Number(label)) : label;
}

/** Labels that name their ticks: distinct, and each close to its value. */
function fits(values: number[], labels: string[], gap: number[]): boolean {
  if (new Set(labels).size !== new Set(values).size) return false;
  return values.every((v, i) => Math.abs(Number(labels[i]) - v) <= Math.min(gap[i], Math.abs(v)) / 100);
}

function longest(labels: string[]): number {
  return labels.reduce((n, s) => Math.max(n, s.length), 0);
}

function search(values: number[], gap: number[], fmt: (v: number, d: number) => string, from: number): string[] {
  let labels = values.map((v) => fmt(v, MAX_DIGITS));
  for (let d = from; d <= MAX_DIGITS; d++) {
    const next = values.map((v) => fmt(v, d));
    if (fits(values, next, gap)) {
      labels = next;
      break;
    }
  }
  return labels;
}

/** The float error of a tick meant to be zero (0.1 + 0.2 - 0.3) is zero. */
function snapZeros(values: number[], gap: number[]): number[] {
  return values.map((v, i) => (Math.abs(v) < gap[i] * 1e-9 ? 0 : v));
}

/** Labels of a numeric axis (values, steps). Non-finite ticks read NaN, ∞, -∞. */
export function numberTicks(values: number[]): string[] {
  let finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return values.map(oddLabel);
  const gap = gaps(finite);
  finite = snapZeros(finite, gap);
  const fixedLabels = search(finite, gap, fixed, 0);
  const expLabels = search(finite, gap, exponent, 1);
  const f = longest(fixedLabels);
  const useFixed = f <= 7 || f <= longest(expLabels);
  const chosen = useFixed ? fixedLabels : expLabels;
  let k = 0;
  return values.map((v) => (Number.isFinite(v) ? chosen[k++] : oddLabel(v)));
}

function oddLabel(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  return v > 0 ? "∞" : "-∞";
}

const pad = (v: number, width = 2) => String(v).padStart(width, "0");

/** Seconds as a clock: "1:02:03", "2:03", "12s", with as many decimals of a second as the
 * ticks need ("0.002s", "1:00.5"). */
export function durationTicks(values: number[]): string[] {
  let finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return values.map(oddLabel);
  const gap = gaps(finite);
  finite = snapZeros(finite, gap);
  const big = finite.some((v) => Math.abs(v) >= 60);
  let decimals = 0;
  for (; decimals < 12; decimals++) {
    const rounded = finite.map((v) => Number(v.toFixed(decimals)));
    if (fits(finite, rounded.map(String), gap)) break;
  }
  const scale = 10 ** decimals;
  const one = (v: number): string => {
    if (!Number.isFinite(v)) return oddLabel(v);
    const n = Math.round(Math.abs(v) * scale);
    const sign = v < 0 && n !== 0 ? "-" : "";
    if (!big) return `${sign}${fixed(n / scale, decimals)}s`;
    const total = Math.floor(n / scale);
    const frac = decimals > 0 ? "." + pad(n % scale, decimals) : "";
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = pad(total % 60) + frac;
    return h > 0 ? `${sign}${h}:${pad(m)}:${s}` : `${sign}${m}:${s}`;
  };
  return values.map(one);
}

function dateOf(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Wall-clock ticks (seconds since the epoch), in the browser's time zone: the time to the
 * precision the ticks need, with the date under the first tick and wherever the day changes
 * ("14:03\n2024-05-01"); ticks a day or more apart read only their date. */
export function timeTicks(values: number[]): string[] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return values.map(oddLabel);
  const gap = gaps(finite);
  if (Math.min(...gap) >= 86400) {
    const days = values.map((v) => (Number.isFinite(v) ? dateOf(new Date(v * 1000)) : oddLabel(v)));
    if (new Set(days).size === new Set(values).size) return days;
  }
  let decimals = 0;
  for (; decimals < 6; decimals++) {
    const rounded = finite.map((v) => Number(v.toFixed(decimals)));
    if (fits(finite, rounded.map(String), gap)) break;
  }
  const withSeconds = decimals > 0 || finite.some((v) => Math.abs(v - Math.round(v / 60) * 60) > 1e-6);
  let lastDay = "";
  return values.map((v) => {
    if (!Number.isFinite(v)) return oddLabel(v);
    const scale = 10 ** decimals;
    const n = Math.round(v * scale);
    const whole = Math.floor(n / scale);
    const d = new Date(whole * 1000);
    let t = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    if (withSeconds) t += `:${pad(d.getSeconds())}`;
    if (decimals > 0) t += "." + pad(n - whole * scale, decimals);
    const day = dateOf(d);
    if (day !== lastDay) {
      lastDay = day;
      return `${t}\n${day}`;
    }
    return t;
  });
}

/** About how many pixels a label set needs across (12 px digits, with a margin). */
export function labelWidth(labels: (string | null | undefined)[]): number {
  let n = 0;
  for (const s of labels) for (const line of String(s ?? "").split("\n")) n = Math.max(n, line.length);
  return Math.ceil(n * 7.2) + 14;
}
