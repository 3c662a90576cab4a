import { formatHash } from "../lib/router";

export function Header({ path }: { path: string[] }) {
  const [head, ws, proj] = path;
  const inProject = head === "p" && ws && proj;
  return (
    <header className="header">
      <a className="brand" href="#/">
        despina
      </a>
      {inProject && (
        <nav>
          <span className="crumb">
            {ws} / {proj}
          </span>
          <a href={formatHash(["p", ws, proj, "runs"])}>Runs</a>
          <a href={formatHash(["p", ws, proj, "models"])}>Models</a>
          <a href={formatHash(["p", ws, proj, "metadata"])}>Project</a>
        </nav>
      )}
    </header>
  );
}
