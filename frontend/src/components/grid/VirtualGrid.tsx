// A grid that draws only the rows and columns in view, so 100,000 rows by hundreds of
// columns cost what one screen costs. Rows have one height; columns their own widths. The
// header sorts (click), reorders (drag a header onto another) and resizes (drag the edge).
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { columnOffsets, elidePath, moveColumn, resizedWidth, visibleColumns, visibleRows } from "./layout";
import "./grid.css";

export interface GridColumn {
  path: string;
  width: number;
  type?: string;
  label?: string;
}

export interface GridSelection<Row> {
  isSelected(row: Row): boolean;
  /** A click on a row's box; ``shift`` extends from the last click. */
  toggle(index: number, row: Row, shift: boolean): void;
  all: "none" | "some" | "all";
  toggleAll(): void;
}

export interface VirtualGridProps<Row> {
  columns: GridColumn[];
  rowCount: number;
  getRow(index: number): Row | undefined;
  /** Called with the rows on screen (without the overscan drawn around) whenever they change. */
  onRange?(start: number, end: number): void;
  renderCell(row: Row, column: GridColumn, index: number): ReactNode;
  sort?: { path: string; ascending: boolean };
  onSort?(path: string): void;
  onResize?(path: string, width: number): void;
  onReorder?(columns: string[]): void;
  onRemove?(path: string): void;
  selection?: GridSelection<Row>;
  /** Changes whenever rows may have arrived, to draw them. */
  version?: number;
  rowHeight?: number;
  emptyText?: ReactNode;
  /** Keep the first column on screen when scrolling sideways (default true). */
  pinFirst?: boolean;
  /** The rows shown are an older answer while a new one loads: drawn faded. */
  stale?: boolean;
  /** The keyboard's cursor row (j/k), marked and kept on screen. */
  cursor?: number;
  testId?: string;
}

const HEADER = 32;
const SELECT = 36;
// room a header cell keeps besides its label: padding, the sort arrow (the remove button
// shows over the label on hover)
const HEADER_PAD = 12;
const ARROW_ROOM = 16;

let measurer: CanvasRenderingContext2D | null | undefined;
/** The width in px of a header label's text (the header's bold font), estimated without a canvas. */
function labelWidth(text: string): number {
  if (measurer === undefined) {
    measurer = typeof document !== "undefined" ? (document.createElement("canvas").getContext?.("2d") ?? null) : null;
    if (measurer) {
      const body = getComputedStyle(document.body);
      measurer.font = `600 ${body.fontSize || "13px"} ${body.fontFamily || "sans-serif"}`;
    }
  }
  return measurer ? measurer.measureText(text).width : text.length * 8;
}

const labels = new Map<string, string>();
/** A header's label cut to `room` px, its last segment kept (cached: headers draw on every scroll). */
function headerLabel(text: string, room: number): string {
  const key = `${room}\u0000${text}`;
  let label = labels.get(key);
  if (label === undefined) {
    label = elidePath(text, (t) => labelWidth(t) <= room);
    if (labels.size > 5000) labels.clear();
    labels.set(key, label);
  }
  return label;
}

function scrollRowIntoView(el: HTMLElement, row: number, rowHeight: number, header: number): void {
  const top = row * rowHeight;
  if (top < el.scrollTop) el.scrollTop = top;
  else if (top + rowHeight + header > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight + header - el.clientHeight;
}

export function VirtualGrid<Row>(props: VirtualGridProps<Row>) {
  const { columns, rowCount, getRow, onRange, renderCell, sort, selection } = props;
  const rowHeight = props.rowHeight ?? 28;
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, left: 0, width: 1200, height: 800 });
  const frame = useRef<number | null>(null);
  const [live, setLive] = useState<{ path: string; width: number } | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);

  const widths = columns.map((c) => (live && live.path === c.path ? live.width : c.width));
  // The selection box and the first column (the id) stay on screen when scrolling sideways:
  // they sit in a sticky block at the start of each row; the other columns scroll.
  const pinned = props.pinFirst !== false && columns.length > 0 ? 1 : 0;
  const select = selection ? SELECT : 0;
  const lead = select + (pinned ? widths[0] : 0);
  const offsets = columnOffsets(widths.slice(pinned));
  const totalWidth = lead + offsets[offsets.length - 1];
  const rows = visibleRows(view.top, view.height - HEADER, rowHeight, rowCount);
  // Rows asked for are those really on screen: the overscan is drawn but not fetched, so a
  // jump to row 50,000 asks for one page, not also the one before it.
  const seen = visibleRows(view.top, view.height - HEADER, rowHeight, rowCount, 0);
  const cols = visibleColumns(offsets, view.left, view.width - lead);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setView((v) => ({ ...v, width: el.clientWidth || v.width, height: el.clientHeight || v.height }));
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = box.current;
    if (el && props.cursor !== undefined && props.cursor >= 0) scrollRowIntoView(el, props.cursor, rowHeight, HEADER);
  }, [props.cursor]);

  useEffect(() => {
    onRange?.(seen.start, seen.end);
  }, [seen.start, seen.end, onRange]);

  const onScroll = () => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      const el = box.current;
      if (el) setView((v) => (v.top === el.scrollTop && v.left === el.scrollLeft ? v : { ...v, top: el.scrollTop, left: el.scrollLeft }));
    });
  };

  const startResize = (e: React.PointerEvent, path: string, start: number) => {
    e.preventDefault();
    e.stopPropagation();
    const x0 = e.clientX;
    const target = e.currentTarget as HTMLElement;
    target.setPointerCapture?.(e.pointerId);
    let width = start;
    const move = (ev: PointerEvent) => {
      width = resizedWidth(start, ev.clientX - x0);
      setLive({ path, width });
    };
    const up = () => {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", up);
      setLive(null);
      if (width !== start) props.onResize?.(path, width);
    };
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", up);
  };

  const visible = columns.slice(pinned + cols.start, pinned + cols.end);
  const selectAll = selection && (
    <div className="grid-hcell grid-select" style={{ left: 0, width: SELECT }}>
      <input
        type="checkbox"
        aria-label="select all loaded rows"
        data-testid="select-all"
        checked={selection.all === "all"}
        ref={(el) => {
          if (el) el.indeterminate = selection.all === "some";
        }}
        onChange={() => selection.toggleAll()}
      />
    </div>
  );

  const headerCell = (c: GridColumn, left: number, width: number) => {
    const sorted = sort?.path === c.path;
    const removable = !!props.onRemove && c.path !== "sys/id";
    const extra = HEADER_PAD + (sorted ? ARROW_ROOM : 0);
    const text = c.label ?? c.path;
    // a double click on the edge fits the column to its whole path (and its sort arrow)
    const fit = () => props.onResize?.(c.path, resizedWidth(Math.ceil(labelWidth(text)) + HEADER_PAD + ARROW_ROOM + 4, 0));
    return (
      <div
        key={c.path}
        className={"grid-hcell" + (dragging === c.path ? " dragging" : "")}
        style={{ left, width }}
        data-testid="column-header"
        data-path={c.path}
        draggable={!!props.onReorder}
        onDragStart={(e) => {
          e.dataTransfer.setData("text/x-despina-column", c.path);
          e.dataTransfer.effectAllowed = "move";
          setDragging(c.path);
        }}
        onDragEnd={() => setDragging(null)}
        onDragOver={(e) => {
          if (e.dataTransfer.types.includes("text/x-despina-column")) e.preventDefault();
        }}
        onDrop={(e) => {
          e.preventDefault();
          const from = e.dataTransfer.getData("text/x-despina-column");
          setDragging(null);
          if (from && from !== c.path) props.onReorder?.(moveColumn(columns.map((x) => x.path), from, c.path));
        }}
      >
        <button
          type="button"
          className="grid-sort"
          data-testid="sort-button"
          aria-label={`Sort by ${c.path}`}
          onClick={() => props.onSort?.(c.path)}
        >
          <span className="grid-label" title={c.path}>
            {headerLabel(text, width - extra)}
          </span>
          {sorted && <span className="grid-arrow">{sort!.ascending ? "▲" : "▼"}</span>}
        </button>
        {removable && (
          <button
            type="button"
            className="grid-remove"
            title={`Remove column ${c.path}`}
            aria-label={`remove column ${c.path}`}
            data-testid="remove-column"
            onClick={() => props.onRemove?.(c.path)}
          >
            ×
          </button>
        )}
        {props.onResize && (
          <span
            className="grid-resize"
            data-testid="resize-handle"
            title="Drag to resize, double-click to fit the whole name"
            onPointerDown={(e) => startResize(e, c.path, width)}
            onDoubleClick={fit}
          />
        )}
      </div>
    );
  };

  const header = (
    <div className="grid-header" style={{ width: totalWidth, height: HEADER }} data-testid="grid-header">
      {pinned > 0 && (
        <div className="grid-pin" style={{ width: lead, height: HEADER }}>
          {selectAll}
          {headerCell(columns[0], select, widths[0])}
        </div>
      )}
      {pinned === 0 && selectAll}
      {visible.map((c, k) => headerCell(c, lead + offsets[cols.start + k], widths[pinned + cols.start + k]))}
    </div>
  );

  const body: ReactNode[] = [];
  for (let r = rows.start; r < rows.end; r++) {
    const row = getRow(r);
    const selected = row !== undefined && selection?.isSelected(row);
    const rowBox = selection && (
      <div className="grid-cell grid-select" style={{ left: 0, width: SELECT }}>
        {row !== undefined && (
          <input
            type="checkbox"
            aria-label="select row"
            data-testid="row-select"
            checked={!!selected}
            onChange={() => {}}
            onClick={(e) => selection.toggle(r, row, e.shiftKey)}
          />
        )}
      </div>
    );
    const cell = (c: GridColumn, left: number, width: number) => (
      <div key={c.path} className="grid-cell" style={{ left, width }} data-path={c.path}>
        {row === undefined ? <span className="grid-loading" /> : renderCell(row, c, r)}
      </div>
    );
    body.push(
      <div
        key={r}
        className={"grid-row" + (r % 2 ? " odd" : "") + (selected ? " selected" : "") + (props.cursor === r ? " cursor" : "")}
        style={{ top: HEADER + r * rowHeight, height: rowHeight, width: totalWidth }}
        data-testid="grid-row"
        data-row={r}
        aria-current={props.cursor === r ? "true" : undefined}
        data-loaded={row !== undefined && !props.stale ? "1" : "0"}
      >
        {pinned > 0 ? (
          <div className="grid-pin" style={{ width: lead, height: rowHeight }}>
            {rowBox}
            {cell(columns[0], select, widths[0])}
          </div>
        ) : (
          rowBox
        )}
        {visible.map((c, k) => cell(c, lead + offsets[cols.start + k], widths[pinned + cols.start + k]))}
      </div>,
    );
  }

  return (
    <div
      className={"grid" + (props.stale ? " stale" : "")}
      ref={box}
      onScroll={onScroll}
      data-testid={props.testId ?? "grid"}
      data-stale={props.stale ? "1" : "0"}
    >
      <div className="grid-sizer" style={{ width: totalWidth, height: HEADER + rowCount * rowHeight }}>
        {header}
        {body}
        {rowCount === 0 && props.emptyText && <div className="grid-empty">{props.emptyText}</div>}
      </div>
    </div>
  );
}
