// A project's dashboards and reports (#/p/{ws}/{proj}/dashboards): the lists, a new
// dashboard by name, and deleting (asked twice, with a button, not a browser dialog).
import { useEffect, useState } from "react";
import { createDashboard, deleteDashboard, deleteReport, listDashboards, listReports, type DashboardSummary, type ReportSummary } from "../api/dashboards";
import type { ProjectRef } from "../api/types";
import "../components/dashboard/dashboard.css";
import { formatDatetime } from "../lib/format";
import { projectName, useTitle } from "../lib/title";
import { formatHash, navigate } from "../lib/router";

export default function DashboardsPage({ project }: { project: ProjectRef }) {
  useTitle("dashboards", projectName(project));
  const [dashboards, setDashboards] = useState<DashboardSummary[] | null>(null);
  const [reports, setReports] = useState<ReportSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [asked, setAsked] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const base = ["p", project.workspace, project.name];

  useEffect(() => {
    const ctl = new AbortController();
    document.title = `Dashboards · ${project.workspace}/${project.name} · despina`;
    Promise.all([listDashboards(project, ctl.signal), listReports(project, ctl.signal)]).then(
      ([d, r]) => {
        setDashboards(d);
        setReports(r);
      },
      (e: unknown) => !ctl.signal.aborted && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => ctl.abort();
  }, [project.workspace, project.name, tick]);

  const act = (p: Promise<unknown>) =>
    p.then(
      () => {
        setAsked(null);
        setTick((t) => t + 1);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );

  const create = async () => {
    setError(null);
    try {
      const d = await createDashboard(project, name.trim(), { columns: 12, widgets: [] });
      navigate([...base, "dashboards", String(d.id)]);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const remove = (key: string, run: () => Promise<void>) =>
    asked === key ? (
      <button type="button" className="danger" data-testid="confirm-delete" onClick={() => act(run())}>
        Really delete
      </button>
    ) : (
      <button type="button" data-testid="delete" onClick={() => setAsked(key)}>
        Delete
      </button>
    );

  return (
    <div className="dashboards-page" data-testid="dashboards-page">
      <h2>Dashboards</h2>
      {error && (
        <div className="banner error" data-testid="dashboards-error">
          {error}
        </div>
      )}
      <form
        className="dash-bar"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) create();
        }}
      >
        <input data-testid="new-dashboard-name" placeholder="new dashboard name" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" data-testid="create-dashboard" disabled={!name.trim()}>
          Create
        </button>
      </form>
      {dashboards === null && !error && <div className="muted">loading…</div>}
      {dashboards && dashboards.length === 0 && <div className="muted">No dashboards yet.</div>}
      {dashboards && dashboards.length > 0 && (
        <table className="dash-list" data-testid="dashboard-list">
          <tbody>
            {dashboards.map((d) => (
              <tr key={d.id} data-testid="dashboard-row">
                <td>
                  <a href={formatHash([...base, "dashboards", String(d.id)])} data-testid="dashboard-link">
                    {d.name}
                  </a>
                </td>
                <td className="muted">{d.widgets} widgets</td>
                <td className="muted">
                  {formatDatetime(d.updated)} by {d.updated_by}
                </td>
                <td>{remove(`d${d.id}`, () => deleteDashboard(project, d.id))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Reports</h2>
      {reports && reports.length === 0 && <div className="muted">No reports yet: freeze a dashboard into one.</div>}
      {reports && reports.length > 0 && (
        <table className="dash-list" data-testid="report-list">
          <tbody>
            {reports.map((r) => (
              <tr key={r.id} data-testid="report-row">
                <td>
                  <a href={formatHash([...base, "reports", String(r.id)])} data-testid="report-link">
                    {r.title}
                  </a>
                </td>
                <td className="muted">
                  {formatDatetime(r.created)} by {r.created_by}
                </td>
                <td>{remove(`r${r.id}`, () => deleteReport(project, r.id))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
