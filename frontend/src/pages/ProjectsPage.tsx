// Placeholder: replaced by the page's real implementation.
export function ProjectsPage(_props: Record<string, unknown>) {
  return <div className="placeholder">ProjectsPage</div>;
}
