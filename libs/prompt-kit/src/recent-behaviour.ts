/**
 * The entries of a behaviour text written by prompt-kit's `describeHistory` (each item's
 * description in double quotes, joined by ", "), or `undefined` when the text has another form.
 * `quoteText` turns any double quote inside a description into a single quote, so the split is exact.
 */
export function behaviourEntries(text: string): string[] | undefined {
  if (text === '') return [];
  if (!/^"[^"]*"(, "[^"]*")*$/.test(text)) return undefined;
  return text.match(/"[^"]*"/g) ?? [];
}

/**
 * A similar user's behaviour text cut to its most recent `maxItems` items (the text lists items
 * oldest first). Texts not in `describeHistory`'s form, and `maxItems` of `Infinity`, are returned
 * unchanged.
 */
export function recentBehaviour(text: string, maxItems: number): string {
  if (maxItems === Number.POSITIVE_INFINITY) return text;
  const entries = behaviourEntries(text);
  if (entries === undefined || entries.length <= maxItems) return text;
  return entries.slice(entries.length - maxItems).join(', ');
}
