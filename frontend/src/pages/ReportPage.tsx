// A report (#/p/{ws}/{proj}/reports/{id}): a dashboard frozen with its data, drawn from that
// data only (no query runs), and "Export HTML": the same report as one self-contained file.
import { useEffect, useState } from "react";
import { getReport, type Report } from "../api/dashboards";
import type { ProjectRef } from "../api/types";
import { DashboardGrid } from "../components/dashboard/DashboardGrid";
import { WidgetBody } from "../components/dashboard/WidgetBody";
import "../components/dashboard/dashboard.css";
import type { WidgetData } from "../lib/dashboard/data";
import { reportFilename, reportHtml } from "../lib/dashboard/exportHtml";
import { formatDatetime } from "../lib/format";
import { projectName, useTitle } from "../lib/title";
import { formatHash } from "../lib/router";

function download(report: Report) {
  const blob = new Blob([reportHtml(report)], { type: "text/html;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = reportFilename(report.title);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export default function ReportPage({ project, id }: { project: ProjectRef; id: number }) {
  useTitle(`report ${id}`, projectName(project));
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    getReport(project, id, ctl.signal).then(setReport, (e: unknown) => !ctl.signal.aborted && setError(e instanceof Error ? e.message : String(e)));
    return () => ctl.abort();
  }, [project.workspace, project.name, id]);
  useEffect(() => {
    document.title = `${report?.title ?? "Report"} · despina`;
  }, [report?.title]);
  if (error) return <div className="banner error">{error}</div>;
  if (!report) return <div className="muted">loading…</div>;
  const base = ["p", project.workspace, project.name];
  return (
    <div className="report-page" data-testid="report-page">
      <div className="dash-bar">
        <a href={formatHash([...base, "dashboards"])}>Dashboards</a>
        <span className="muted">/</span>
        <h2 data-testid="report-title">{report.title}</h2>
        <span className="muted">
          frozen {formatDatetime(report.created)} by {report.created_by} · {report.runs.length} runs
        </span>
        {report.dashboard_id !== null && <a href={formatHash([...base, "dashboards", String(report.dashboard_id)])}>live dashboard</a>}
        <span className="spacer" />
        <button type="button" data-testid="export-html" onClick={() => download(report)}>
          Export HTML
        </button>
      </div>
      <DashboardGrid
        widgets={report.layout.widgets}
        editing={false}
        render={(w) => {
          const data = report.data[w.id] as WidgetData | undefined;
          return data ? <WidgetBody widget={w} data={data} /> : <div className="muted">No data was frozen for this widget.</div>;
        }}
      />
    </div>
  );
}
