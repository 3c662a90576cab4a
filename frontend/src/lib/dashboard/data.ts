// The drawn data of each widget type: what a live dashboard computes from the server
// (widgetData.ts), what a report freezes (the `data` of POST reports, keyed by widget id),
// and what the report page and the HTML export draw from. Plain JSON.

/** One line of a line chart: a run's series, or a group's mean with its min–max band. */
export interface LineTrace {
  label: string;
  path: string;
  x: number[];
  y: (number | null)[];
  low?: (number | null)[];
  high?: (number | null)[];
}

export interface LineData {
  type: "line";
  xaxis: "step" | "time" | "relative";
  traces: LineTrace[];
}

export interface ScatterData {
  type: "scatter";
  x_field: string;
  y_field: string;
  points: { id: string; x: number; y: number }[];
}

export interface ParallelData {
  type: "parallel";
  fields: string[];
  rows: { id: string; values: (number | null)[] }[];
}

export interface ImagesData {
  type: "images";
  field: string;
  /** src: a data: URL of the image (PNG, JPEG, GIF or WebP), null when it has none or is too big. */
  images: { id: string; step: number | null; src: string | null; note: string }[];
}

export interface TableData {
  type: "table";
  columns: string[];
  /** The cells as shown (formatted text). */
  rows: string[][];
  total: number;
}

export interface ValueData {
  type: "value";
  field: string;
  aggregate: string;
  value: number | null;
  /** Runs with a value. */
  count: number;
}

export interface MarkdownData {
  type: "markdown";
  text: string;
}

export type WidgetData = LineData | ScatterData | ParallelData | ImagesData | TableData | ValueData | MarkdownData;

/** A widget's data with the runs it read (sys/ids), as frozen in a report. */
export interface DrawnWidget {
  data: WidgetData;
  runs: string[];
}
