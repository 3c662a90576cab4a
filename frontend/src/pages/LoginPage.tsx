// Placeholder: replaced by the page's real implementation.
export function LoginPage(_props: Record<string, unknown>) {
  return <div className="placeholder">LoginPage</div>;
}
