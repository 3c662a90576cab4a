// Placeholder: replaced by the page's real implementation.
export function ModelsPage(_props: Record<string, unknown>) {
  return <div className="placeholder">ModelsPage</div>;
}
