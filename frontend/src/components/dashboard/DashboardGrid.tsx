// The dashboard's grid: 12 columns (CSS grid), widgets dragged by their title bar and resized
// by their corner handle in edit mode (pointer events), the layout kept valid by
// lib/dashboardLayout.ts while the pointer moves.
import { useRef, useState, type ReactNode } from "react";
import type { Widget } from "../../api/dashboards";
import { moveBox, resizeBox } from "../../lib/dashboardLayout";
import { ROW_PX } from "../../lib/dashboard/draw";

const GAP = 8;

interface Drag {
  id: string;
  kind: "move" | "resize";
  startX: number;
  startY: number;
  origin: Widget[];
}

export function DashboardGrid(props: {
  widgets: Widget[];
  editing: boolean;
  onChange?: (widgets: Widget[]) => void;
  render: (w: Widget) => ReactNode;
  tools?: (w: Widget) => ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);

  const start = (e: React.PointerEvent, w: Widget, kind: Drag["kind"]) => {
    if (!props.editing || e.button !== 0) return;
    e.preventDefault();
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    setDrag({ id: w.id, kind, startX: e.clientX, startY: e.clientY, origin: props.widgets });
  };
  const move = (e: React.PointerEvent) => {
    if (!drag || !ref.current) return;
    const colW = (ref.current.clientWidth - 11 * GAP) / 12;
    const dx = Math.round((e.clientX - drag.startX) / (colW + GAP));
    const dy = Math.round((e.clientY - drag.startY) / (ROW_PX + GAP));
    const w = drag.origin.find((o) => o.id === drag.id);
    if (!w) return;
    const next = drag.kind === "move" ? moveBox(drag.origin, w.id, w.x + dx, w.y + dy) : resizeBox(drag.origin, w.id, w.w + dx, w.h + dy);
    props.onChange?.(next);
  };
  const end = () => setDrag(null);

  return (
    <div className={`dash-grid${props.editing ? " editing" : ""}`} ref={ref} data-testid="dashboard-grid" style={{ gridAutoRows: `${ROW_PX}px`, gap: `${GAP}px` }}>
      {props.widgets.map((w) => (
        <section
          key={w.id}
          className={`dash-widget${drag?.id === w.id ? " dragging" : ""}`}
          data-testid="widget"
          data-widget-id={w.id}
          data-type={w.type}
          data-pos={`${w.x},${w.y},${w.w},${w.h}`}
          style={{ gridColumn: `${w.x + 1} / span ${w.w}`, gridRow: `${w.y + 1} / span ${w.h}` }}
        >
          <header className="dash-widget-head" data-testid="widget-head" onPointerDown={(e) => start(e, w, "move")} onPointerMove={move} onPointerUp={end} onPointerCancel={end}>
            <span className="dash-widget-title" data-testid="widget-title-text" title={w.title}>
              {w.title || w.type}
            </span>
            {props.editing && props.tools && <span onPointerDown={(e) => e.stopPropagation()}>{props.tools(w)}</span>}
          </header>
          <div className="dash-widget-body">{props.render(w)}</div>
          {props.editing && (
            <div className="dash-resize" data-testid="widget-resize" title="drag to resize" onPointerDown={(e) => start(e, w, "resize")} onPointerMove={move} onPointerUp={end} onPointerCancel={end} />
          )}
        </section>
      ))}
    </div>
  );
}
