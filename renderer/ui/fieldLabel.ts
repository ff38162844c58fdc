// A service form field's name as people read it. Names are identifiers chosen at registration
// ("title", "due_date", "deliveryNotes") and were shown as they were, lowercase and raw, as
// labels. The name itself stays what the protocol signs; only its display changes.

/** "title" → "Title", "due_date" → "Due date", "deliveryNotes" → "Delivery notes". */
export function fieldLabel(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ');
  if (words === '') return name;
  const lower = words.replace(
    /\b([A-Z])([a-z])/g,
    (_, a: string, b: string) => a.toLowerCase() + b,
  );
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}
