// Placeholder: replaced by the page's real implementation.
export function ComparePage(_props: Record<string, unknown>) {
  return <div className="placeholder">ComparePage</div>;
}
