// One dashboard (#/p/{ws}/{proj}/dashboards/{id}): its widgets drawn live from the project's
// runs; edit mode adds, edits, moves, resizes and deletes widgets and saves with the version
// edited (a 409 means someone saved meanwhile); "Freeze as report" keeps what is drawn.
import { useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client";
import { createReport, getDashboard, MAX_WIDGETS, saveDashboard, type Dashboard, type Widget } from "../api/dashboards";
import type { ProjectRef } from "../api/types";
import { DashboardGrid } from "../components/dashboard/DashboardGrid";
import { LiveWidget } from "../components/dashboard/LiveWidget";
import { defaultSize, WidgetForm } from "../components/dashboard/WidgetForm";
import "../components/dashboard/dashboard.css";
import type { DrawnWidget } from "../lib/dashboard/data";
import { compact, firstFree, newId } from "../lib/dashboardLayout";
import { formatDatetime } from "../lib/format";
import { projectName, useTitle } from "../lib/title";
import { formatHash, navigate } from "../lib/router";

export default function DashboardPage({ project, id }: { project: ProjectRef; id: number }) {
  useTitle(`dashboard ${id}`, projectName(project));
  const [dash, setDash] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [widgets, setWidgets] = useState<Widget[]>([]);
  const [name, setName] = useState("");
  const [form, setForm] = useState<{ widget: Widget | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const [reload, setReload] = useState(0);
  const drawn = useRef(new Map<string, DrawnWidget | null>());

  useEffect(() => {
    const ctl = new AbortController();
    setError(null);
    getDashboard(project, id, ctl.signal).then(
      (d) => {
        setDash(d);
        setWidgets(d.layout.widgets);
        setName(d.name);
        setConflict(null);
        setEditing(false);
      },
      (e: unknown) => !ctl.signal.aborted && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => ctl.abort();
  }, [project.workspace, project.name, id, reload]);

  useEffect(() => {
    document.title = `${dash?.name ?? "Dashboard"} · despina`;
  }, [dash?.name]);

  if (error) return <div className="banner error">{error}</div>;
  if (!dash) return <div className="muted">loading…</div>;
  const dirty = name !== dash.name || JSON.stringify(widgets) !== JSON.stringify(dash.layout.widgets);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const d = await saveDashboard(project, id, name.trim(), { columns: 12, widgets }, dash.version);
      setDash(d);
      setWidgets(d.layout.widgets);
      setEditing(false);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409)
        setConflict("Someone else saved this dashboard while you were editing it. Reload to see their version (your changes here are not saved).");
      else setConflict(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const freeze = async () => {
    const missing = widgets.filter((w) => !drawn.current.get(w.id));
    if (missing.length) {
      setConflict(`Wait until every widget is drawn (${missing.length} still loading or failed).`);
      return;
    }
    setBusy(true);
    try {
      const data: Record<string, unknown> = {};
      const runs = new Set<string>();
      for (const w of widgets) {
        const d = drawn.current.get(w.id) as DrawnWidget;
        data[w.id] = d.data;
        d.runs.forEach((r) => runs.add(r));
      }
      const title = `${dash.name} · ${formatDatetime(Date.now() / 1000)}`;
      const report = await createReport(project, { title, dashboard_id: dash.id, layout: { columns: 12, widgets }, data, runs: [...runs] });
      navigate(["p", project.workspace, project.name, "reports", String(report.id)]);
    } catch (e) {
      setConflict(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const apply = (w: Widget) => {
    if (form?.widget) setWidgets((ws) => ws.map((o) => (o.id === w.id ? { ...w, x: o.x, y: o.y, w: o.w, h: o.h } : o)));
    else {
      const size = defaultSize(w.type);
      setWidgets((ws) => [...ws, { ...w, ...size, ...firstFree(ws, size.w, size.h) }]);
    }
    setForm(null);
  };

  const tools = (w: Widget) => (
    <>
      <button type="button" className="small" data-testid="widget-edit" onClick={() => setForm({ widget: w })}>
        Edit
      </button>
      <button type="button" className="small" data-testid="widget-delete" onClick={() => setWidgets((ws) => compact(ws.filter((o) => o.id !== w.id)))}>
        ✕
      </button>
    </>
  );

  return (
    <div className="dashboard-page" data-testid="dashboard-page" data-version={dash.version}>
      <div className="dash-bar">
        <a href={formatHash(["p", project.workspace, project.name, "dashboards"])}>Dashboards</a>
        <span className="muted">/</span>
        {editing ? (
          <input data-testid="dashboard-name" value={name} onChange={(e) => setName(e.target.value)} />
        ) : (
          <h2 data-testid="dashboard-title">{dash.name}</h2>
        )}
        <span className="muted" data-testid="dashboard-meta">
          version {dash.version} · saved {formatDatetime(dash.updated)} by {dash.updated_by}
        </span>
        <span className="spacer" />
        {!editing && (
          <>
            <button type="button" data-testid="dashboard-edit" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button type="button" data-testid="freeze-report" disabled={busy} onClick={freeze}>
              Freeze as report
            </button>
          </>
        )}
        {editing && (
          <>
            <button type="button" data-testid="add-widget" disabled={widgets.length >= MAX_WIDGETS} onClick={() => setForm({ widget: null })}>
              Add widget
            </button>
            <button type="button" data-testid="dashboard-save" disabled={busy || !dirty || !name.trim()} onClick={save}>
              Save
            </button>
            <button
              type="button"
              data-testid="dashboard-cancel"
              onClick={() => {
                setWidgets(dash.layout.widgets);
                setName(dash.name);
                setEditing(false);
                setForm(null);
              }}
            >
              Cancel
            </button>
          </>
        )}
      </div>
      {conflict && (
        <div className="banner error" data-testid="dashboard-conflict">
          {conflict}{" "}
          <button type="button" data-testid="dashboard-reload" onClick={() => setReload((r) => r + 1)}>
            Reload
          </button>
        </div>
      )}
      {form && (
        <WidgetForm
          key={form.widget?.id ?? "new"}
          initial={form.widget}
          base={form.widget ?? { id: newId(widgets), x: 0, y: 0, w: 1, h: 1 }}
          onDone={apply}
          onCancel={() => setForm(null)}
        />
      )}
      {widgets.length === 0 && <div className="muted">No widgets yet: Edit, then Add widget.</div>}
      <DashboardGrid
        widgets={widgets}
        editing={editing}
        onChange={setWidgets}
        tools={tools}
        render={(w) => <LiveWidget project={project} widget={w} onDrawn={(wid, d) => drawn.current.set(wid, d)} />}
      />
    </div>
  );
}
