// A widget of a live dashboard: computes its data (lib/dashboard/widgetData.ts) when its
// settings change (not when it only moves), draws it, and hands it up for freezing.
import { useEffect, useState } from "react";
import type { Widget } from "../../api/dashboards";
import type { ProjectRef } from "../../api/types";
import type { DrawnWidget } from "../../lib/dashboard/data";
import { computeWidget } from "../../lib/dashboard/widgetData";
import { WidgetBody } from "./WidgetBody";

/** The settings that change a widget's data (everything but its place and size). */
export function dataKey(w: Widget): string {
  const { x: _x, y: _y, w: _w, h: _h, title: _t, ...rest } = w;
  return JSON.stringify(rest);
}

export function LiveWidget(props: { project: ProjectRef; widget: Widget; onDrawn: (id: string, d: DrawnWidget | null) => void }) {
  const { project, widget, onDrawn } = props;
  const [drawn, setDrawn] = useState<DrawnWidget | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = `${project.workspace}/${project.name}\u0000${dataKey(widget)}`;
  useEffect(() => {
    const ctl = new AbortController();
    setDrawn(null);
    setError(null);
    onDrawn(widget.id, null);
    computeWidget(project, widget, ctl.signal).then(
      (d) => {
        if (ctl.signal.aborted) return;
        setDrawn(d);
        onDrawn(widget.id, d);
      },
      (e: unknown) => !ctl.signal.aborted && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => ctl.abort();
  }, [key]);
  if (error)
    return (
      <div className="banner error" data-testid="widget-error">
        {error}
      </div>
    );
  if (!drawn) return <div className="muted">loading…</div>;
  return (
    <div data-testid="widget-drawn" className="widget-drawn">
      <WidgetBody widget={widget} data={drawn.data} />
    </div>
  );
}
