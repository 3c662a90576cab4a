// Hardware charts (cpu, memory, gpu...) and the terminal output of each process that logged
// to the run (one monitoring/<hash>/ namespace per process).
import type { SeriesSummary } from "../../api/fields";
import { ChartGrid } from "../chart/ChartGrid";
import type { RunContext } from "./FieldDetail";
import { monitoringNamespaces, pathsOfType } from "./fieldTree";
import { LogViewer } from "./LogViewer";

export function MonitoringTab({ ctx }: { ctx: RunContext }) {
  const namespaces = monitoringNamespaces(ctx.structure);
  if (namespaces.length === 0) return <div className="muted">This run recorded no hardware usage or terminal output.</div>;
  return (
    <div className="monitoring-tab" data-testid="monitoring-tab">
      {namespaces.map((ns) => {
        const text = (p: string) => ctx.values.get(`${ns}/${p}`)?.value;
        const charts = pathsOfType(ctx.structure, "float_series", ns).filter((p) => !p.includes("/series_config/"));
        // <ns>/series_config/<series>/unit|min|max, written beside each hardware series
        const titles: Record<string, string> = {};
        const yRanges: Record<string, [number, number]> = {};
        for (const p of charts) {
          const series = p.slice(ns.length + 1);
          const unit = text(`series_config/${series}/unit`);
          const lo = text(`series_config/${series}/min`);
          const hi = text(`series_config/${series}/max`);
          titles[p] = unit !== undefined ? `${series} (${String(unit)})` : series;
          if (typeof lo === "number" && typeof hi === "number" && hi > lo) yRanges[p] = [lo, hi];
        }
        const logs = ["stdout", "stderr", "traceback"].filter((l) => ctx.structure[`${ns}/${l}`] === "string_series");
        return (
          <section key={ns} className="monitoring-ns">
            <h3>
              {ns}{" "}
              <span className="muted">
                {text("hostname") !== undefined && `host ${String(text("hostname"))}`}
                {text("pid") !== undefined && `, pid ${String(text("pid"))}`}
              </span>
            </h3>
            <ChartGrid
              project={ctx.project}
              uuids={[ctx.uuid]}
              names={{ [ctx.uuid]: ctx.name }}
              paths={charts}
              options={ctx.options}
              refresh={ctx.refresh}
              titles={titles}
              yRanges={yRanges}
            />
            {logs.map((l) => (
              <div key={l} className="monitoring-log">
                <h4>{l}</h4>
                <LogViewer
                  uuid={ctx.uuid}
                  path={`${ns}/${l}`}
                  count={(ctx.values.get(`${ns}/${l}`)?.value as SeriesSummary | undefined)?.count ?? 0}
                  height={l === "traceback" ? 200 : 360}
                />
              </div>
            ))}
          </section>
        );
      })}
    </div>
  );
}
