// One colour per run, the same in the chart, its legend and the compare page: run i of a
// page gets PALETTE[i], so a page's runs in the same order get the same colours every time.
//
// The palette is chosen once, deterministically, in CIE Lab (where distance is what the eye
// sees): from candidate colours dark enough to read on white (L* 36..68, clear chroma), each
// next colour is the candidate farthest from all already chosen (farthest-point order). The
// first colours are then as far apart as can be, and 72 stay distinct before any repeats.

export const PALETTE_SIZE = 72;
const FIRST = "#3a5bd9"; // the app's accent blue

type Lab = [number, number, number];

function toLinear(c: number): number {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

function toByte(c: number): number {
  const s = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
  return Math.round(s * 255);
}

const WHITE = [0.95047, 1, 1.08883];
const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
const fInv = (t: number) => (t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27));

/** A "#rrggbb" colour in CIE Lab (D65). */
export function hexToLab(hex: string): Lab {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(toLinear);
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / WHITE[0];
  const y = (0.2126 * r + 0.7152 * g + 0.0722 * b) / WHITE[1];
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / WHITE[2];
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

/** Lab to "#rrggbb", or null when sRGB cannot show it. */
function labToHex([l, a, bb]: Lab): string | null {
  const fy = (l + 16) / 116;
  const x = fInv(fy + a / 500) * WHITE[0];
  const y = fInv(fy) * WHITE[1];
  const z = fInv(fy - bb / 200) * WHITE[2];
  const rgb = [
    3.2406 * x - 1.5372 * y - 0.4986 * z,
    -0.9689 * x + 1.8758 * y + 0.0415 * z,
    0.0557 * x - 0.204 * y + 1.057 * z,
  ];
  if (rgb.some((c) => c < -0.001 || c > 1.001)) return null;
  return "#" + rgb.map((c) => toByte(Math.min(1, Math.max(0, c))).toString(16).padStart(2, "0")).join("");
}

/** Distance of two Lab colours (CIE76 ΔE). */
export function deltaE(p: Lab, q: Lab): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

function buildPalette(): string[] {
  const candidates: { hex: string; lab: Lab }[] = [];
  for (const l of [36, 44, 52, 60, 68])
    for (const c of [38, 52, 66, 80])
      for (let h = 0; h < 360; h += 6) {
        const rad = (h * Math.PI) / 180;
        const hex = labToHex([l, c * Math.cos(rad), c * Math.sin(rad)]);
        if (hex) candidates.push({ hex, lab: hexToLab(hex) });
      }
  const chosen = [FIRST];
  const nearest = candidates.map((cand) => deltaE(cand.lab, hexToLab(FIRST)));
  while (chosen.length < PALETTE_SIZE) {
    let best = 0;
    for (let i = 1; i < candidates.length; i++) if (nearest[i] > nearest[best]) best = i;
    const pick = candidates[best];
    chosen.push(pick.hex);
    for (let i = 0; i < candidates.length; i++) nearest[i] = Math.min(nearest[i], deltaE(candidates[i].lab, pick.lab));
  }
  return chosen;
}

let palette: string[] | null = null;

/** The palette, in the order runs get it. */
export function runPalette(): string[] {
  palette ??= buildPalette();
  return palette;
}

export function runColor(i: number): string {
  const p = runPalette();
  return p[((i % p.length) + p.length) % p.length];
}

/** The colour with an alpha, for the min/max band. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
