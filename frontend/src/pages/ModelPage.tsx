// Placeholder: replaced by the page's real implementation.
export function ModelPage(_props: Record<string, unknown>) {
  return <div className="placeholder">ModelPage</div>;
}
