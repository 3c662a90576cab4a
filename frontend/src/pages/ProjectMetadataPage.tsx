// Placeholder: replaced by the page's real implementation.
export function ProjectMetadataPage(_props: Record<string, unknown>) {
  return <div className="placeholder">ProjectMetadataPage</div>;
}
