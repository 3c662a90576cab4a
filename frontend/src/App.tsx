// Routes of the app. Each page owns one file under pages/.
import { useEffect, useState } from "react";
import { setUnauthorizedHandler } from "./api/client";
import { navigate, useLocation } from "./lib/router";
import { LoginPage } from "./pages/LoginPage";
import { ProjectsPage } from "./pages/ProjectsPage";
import { RunsPage } from "./pages/RunsPage";
import { lazy, Suspense } from "react";
// The run and compare pages (charts, uPlot) load on first use, so the first page stays light.
const RunPage = lazy(() => import("./pages/RunPage"));
const ComparePage = lazy(() => import("./pages/ComparePage"));
// A rendered checkpoint and a diff of two load on first use too.
const CheckpointPage = lazy(() => import("./pages/CheckpointPage"));
const NotebookDiffPage = lazy(() => import("./pages/NotebookDiffPage"));
// Dashboards and reports (their grid, charts and the HTML export) load on first use too.
const DashboardsPage = lazy(() => import("./pages/DashboardsPage"));
const DashboardPage = lazy(() => import("./pages/DashboardPage"));
const ReportPage = lazy(() => import("./pages/ReportPage"));
const loadingPage = <div className="muted">loading…</div>;
import { ModelsPage } from "./pages/ModelsPage";
import { ModelPage } from "./pages/ModelPage";
import { ModelVersionPage } from "./pages/ModelVersionPage";
import { ProjectMetadataPage } from "./pages/ProjectMetadataPage";
import { NotebooksPage } from "./pages/NotebooksPage";
import { NotebookPage } from "./pages/NotebookPage";
import { Header } from "./components/Header";
import { ShortcutsDialog } from "./components/ShortcutsDialog";
import { applyTheme, storedTheme } from "./lib/theme";

// the remembered theme, before the first paint
applyTheme(storedTheme());

export function App() {
  const loc = useLocation();
  const [, setTick] = useState(0);
  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (loc.path[0] !== "login") navigate(["login"], { next: window.location.hash });
      setTick((t) => t + 1);
    });
  }, [loc.path]);

  const [head, ws, proj, section, id, sub, subId] = loc.path;
  let page;
  if (head === "login") page = <LoginPage next={loc.query.get("next")} />;
  else if (head === "p" && ws && proj) {
    const project = { workspace: ws, name: proj };
    if (section === "runs" && id)
      page = (
        <Suspense fallback={loadingPage}>
          <RunPage project={project} sysId={id} query={loc.query} />
        </Suspense>
      );
    else if (section === "compare")
      page = (
        <Suspense fallback={loadingPage}>
          <ComparePage project={project} query={loc.query} />
        </Suspense>
      );
    else if (section === "dashboards" || section === "reports") {
      const n = Number(id);
      const inner =
        id && Number.isInteger(n) && n > 0 ? (
          section === "dashboards" ? (
            <DashboardPage key={n} project={project} id={n} />
          ) : (
            <ReportPage key={n} project={project} id={n} />
          )
        ) : (
          <DashboardsPage project={project} />
        );
      page = <Suspense fallback={loadingPage}>{inner}</Suspense>;
    } else if (section === "models" && id && sub === "versions" && subId)
      page = <ModelVersionPage project={project} modelId={id} versionId={subId} />;
    else if (section === "models" && id) page = <ModelPage project={project} sysId={id} query={loc.query} />;
    else if (section === "models") page = <ModelsPage project={project} query={loc.query} />;
    else if (section === "metadata") page = <ProjectMetadataPage project={project} />;
    else if (section === "notebooks" && id && sub === "checkpoints" && subId)
      page = (
        <Suspense fallback={loadingPage}>
          <CheckpointPage project={project} notebookId={Number(id)} checkpointId={Number(subId)} />
        </Suspense>
      );
    else if (section === "notebooks" && id && sub === "diff")
      page = (
        <Suspense fallback={loadingPage}>
          <NotebookDiffPage project={project} notebookId={Number(id)} query={loc.query} />
        </Suspense>
      );
    else if (section === "notebooks" && id) page = <NotebookPage project={project} notebookId={Number(id)} />;
    else if (section === "notebooks") page = <NotebooksPage project={project} />;
    else page = <RunsPage project={project} query={loc.query} />;
  } else page = <ProjectsPage />;

  return (
    <div className="app">
      <Header path={loc.path} />
      <main className="page">{page}</main>
      <ShortcutsDialog />
    </div>
  );
}
