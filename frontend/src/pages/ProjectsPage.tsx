// Workspaces and the projects in each, with links to their runs and models.
import { useEffect, useState } from "react";
import { byWorkspace, listProjects, type ProjectInfo } from "../api/projects";
import { formatDatetime } from "../lib/format";
import { formatHash } from "../lib/router";
import { useTitle } from "../lib/title";

export function ProjectsPage() {
  useTitle("projects");
  const [projects, setProjects] = useState<ProjectInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const c = new AbortController();
    listProjects(c.signal)
      .then(setProjects)
      .catch((e: Error) => !c.signal.aborted && setError(e.message));
    return () => c.abort();
  }, []);

  return (
    <div className="scroll-page projects" data-testid="projects-page">
      <h1>Projects</h1>
      {error && (
        <div className="banner error" role="alert" data-testid="projects-error">
          Projects could not be listed: {error}
        </div>
      )}
      {!projects && !error && <p className="muted">Loading…</p>}
      {projects && projects.length === 0 && (
        <p className="muted" data-testid="projects-empty">
          No projects yet. Log a run with <code>despina.init_run(project="workspace/name")</code> and it appears here.
        </p>
      )}
      {projects &&
        byWorkspace(projects).map(([ws, list]) => (
          <section key={ws} data-testid="workspace" data-workspace={ws}>
            <h2>{ws}</h2>
            <ul data-testid="projects-list">
              {list.map((p) => (
                <li key={p.qualified_name}>
                  <a href={formatHash(["p", p.workspace, p.name, "runs"])} data-testid="project-link" data-project={p.qualified_name}>
                    {p.name}
                  </a>
                  <span className="muted">{p.key}</span>
                  <a href={formatHash(["p", p.workspace, p.name, "models"])}>models</a>
                  <span className="muted">created {formatDatetime(p.created)}</span>
                </li>
              ))}
            </ul>
          </section>
        ))}
    </div>
  );
}
