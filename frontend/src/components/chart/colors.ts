// One colour per run, the same in the chart, its legend and the compare page.
const PALETTE = [
  "#3a5bd9",
  "#e8590c",
  "#2b8a3e",
  "#c2255c",
  "#7048e8",
  "#0c8599",
  "#a07400",
  "#5c7cfa",
  "#d6336c",
  "#495057",
];

export function runColor(i: number): string {
  return PALETTE[i % PALETTE.length];
}

/** The colour with an alpha, for the min/max band. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
