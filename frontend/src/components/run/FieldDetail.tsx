// The right-hand panel of the run page: what one field (or namespace) holds, shown the way
// its type calls for.
import type { ProjectRef } from "../../api/types";
import type { FieldValue, FileRef, SeriesSummary } from "../../api/fields";
import type { ChartOptions } from "../../lib/series";
import { ChartGrid } from "../chart/ChartGrid";
import { SeriesChart } from "../chart/SeriesChart";
import { downloadName, formatFieldValue } from "./fieldFormat";
import { pathsOfType } from "./fieldTree";
import { FilePreview } from "./FilePreview";
import { FileSetView } from "./FileSetView";
import { Gallery } from "./Gallery";
import { GitInfo } from "./GitInfo";
import { StringSeriesView } from "./HistogramView";

export interface RunContext {
  project: ProjectRef;
  uuid: string;
  name: string;
  structure: Record<string, string>;
  values: Map<string, FieldValue>;
  options: ChartOptions;
  refresh: number;
}

export function FieldDetail({ ctx, path }: { ctx: RunContext; path: string }) {
  const type = ctx.structure[path];
  const names = { [ctx.uuid]: ctx.name };
  if (type === undefined) {
    // a namespace: its simple values and a grid of its charts
    const prefix = path ? path + "/" : "";
    const series = pathsOfType(ctx.structure, "float_series", path);
    return (
      <div className="field-detail" data-testid="field-detail" data-path={path}>
        <h3 className="detail-title">{path || "all fields"}</h3>
        <ChartGrid
          project={ctx.project}
          uuids={[ctx.uuid]}
          names={names}
          paths={series}
          options={ctx.options}
          refresh={ctx.refresh}
          stripPrefix={prefix}
        />
      </div>
    );
  }
  const field = ctx.values.get(path);
  const summary = field?.value as SeriesSummary | undefined;
  let body;
  switch (type) {
    case "float_series":
      body = (
        <SeriesChart project={ctx.project} uuids={[ctx.uuid]} names={names} path={path} options={ctx.options} refresh={ctx.refresh} height={360} />
      );
      break;
    case "string_series":
      // a series of JSON histograms (log_histograms, imported histogram series) as histograms
      body = <StringSeriesView key={`${ctx.uuid}/${path}`} uuid={ctx.uuid} path={path} count={summary?.count ?? 0} lastValue={summary?.last_value} />;
      break;
    case "file_series":
      body = <Gallery uuid={ctx.uuid} path={path} count={summary?.count ?? 0} />;
      break;
    case "file": {
      const ref = field?.value as FileRef | undefined;
      body = ref ? <FilePreview file={ref} path={path} filename={downloadName(path, ref.extension)} /> : null;
      break;
    }
    case "file_set":
    case "artifact":
      body = (
        <FileSetView
          uuid={ctx.uuid}
          path={path}
          hash={(field?.value as { hash?: string } | undefined)?.hash}
          refresh={ctx.refresh}
          tracked={type === "artifact"}
        />
      );
      break;
    case "git_ref":
      body = field ? <GitInfo value={field.value as Record<string, unknown>} /> : null;
      break;
    case "string":
      body = <pre className="text-preview">{String(field?.value ?? "")}</pre>;
      break;
    default:
      body = <div className="field-plain">{formatFieldValue(field, 100_000)}</div>;
  }
  return (
    <div className="field-detail" data-testid="field-detail" data-path={path}>
      <h3 className="detail-title">
        {path} <span className="muted">{type}</span>
      </h3>
      {body}
    </div>
  );
}
