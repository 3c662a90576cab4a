// Placeholder: replaced by the page's real implementation.
export function RunPage(_props: Record<string, unknown>) {
  return <div className="placeholder">RunPage</div>;
}
