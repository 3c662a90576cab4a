// One widget drawn from its data: live on a dashboard, frozen on a report. Charts come from
// lib/dashboard/charts.ts (the same trees the HTML export writes), Markdown from the
// notebook's safe renderer, everything else is React text.
import type { Widget } from "../../api/dashboards";
import type { WidgetData } from "../../lib/dashboard/data";
import { chartOf, formatAggregate, safeImageSrc } from "../../lib/dashboard/draw";
import { Markdown } from "../notebook/Markdown";
import { SvgView } from "./SvgView";

export function WidgetBody({ widget, data }: { widget: Widget; data: WidgetData }) {
  if (data.type !== widget.type) return <div className="muted">The data does not match this widget.</div>;
  const chart = chartOf(widget, data);
  if (chart) {
    const empty =
      (data.type === "line" && data.traces.length === 0) ||
      (data.type === "scatter" && data.points.length === 0) ||
      (data.type === "parallel" && data.rows.length === 0);
    return (
      <>
        {empty && <div className="muted">No values for these runs.</div>}
        <SvgView tree={chart} />
      </>
    );
  }
  switch (data.type) {
    case "markdown":
      return <Markdown text={data.text} testId="widget-markdown" />;
    case "value":
      return (
        <div className="dash-value">
          <div className="dash-value-number" data-testid="widget-value">
            {formatAggregate(data.value)}
          </div>
          <div className="muted">
            {data.aggregate} of {data.field} over {data.count} runs
          </div>
        </div>
      );
    case "table":
      return (
        <table className="dash-table" data-testid="widget-table">
          <thead>
            <tr>
              {data.columns.map((c, i) => (
                <th key={i} title={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.rows.map((r, i) => (
              <tr key={i}>
                {r.map((c, k) => (
                  <td key={k}>{c}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
    case "images":
      return (
        <div className="dash-images">
          {data.images.length === 0 && <div className="muted">No runs.</div>}
          {data.images.map((im, i) => {
            const src = safeImageSrc(im.src);
            return (
              <figure key={i} data-testid="widget-image">
                {src ? <img src={src} alt={im.id} /> : <div className="muted">{im.note}</div>}
                <figcaption>
                  {im.id}
                  {im.step !== null && ` · step ${im.step}`}
                </figcaption>
              </figure>
            );
          })}
        </div>
      );
  }
  return null;
}
