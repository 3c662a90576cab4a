// Placeholder: replaced by the page's real implementation.
export function RunsPage(_props: Record<string, unknown>) {
  return <div className="placeholder">RunsPage</div>;
}
