// The list of keyboard shortcuts, opened with `?` and closed with Escape; `/` focuses the
// query box on pages that have one.
import { useState } from "react";
import { focusQuery, SHORTCUTS, useShortcuts } from "../lib/shortcuts";

export function ShortcutsDialog() {
  const [open, setOpen] = useState(false);
  useShortcuts((s, e) => {
    if (s === "?") {
      e.preventDefault();
      setOpen(true);
    } else if (s === "Escape") setOpen(false);
    else if (s === "/" && !open && focusQuery()) e.preventDefault();
  });
  if (!open) return null;
  return (
    <div className="shortcuts-backdrop" onClick={() => setOpen(false)}>
      <div
        className="shortcuts-dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        data-testid="shortcuts-dialog"
        onClick={(e) => e.stopPropagation()}
      >
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys.join(" ")} data-testid="shortcut">
                <td>
                  {s.keys.map((k) => (
                    <kbd key={k}>{k}</kbd>
                  ))}
                </td>
                <td>{s.does}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
