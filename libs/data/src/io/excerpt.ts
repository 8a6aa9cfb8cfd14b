/** Most characters of a file's text that an error message quotes. */
export const MAX_QUOTED_CHARS = 200;

/**
 * The start of a text as an error message quotes it: at most `max` characters, then "..." and
 * the full length, so that a 10 MB line never lands in a message or a log.
 */
export function excerpt(text: string, max = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... (${text.length.toLocaleString('en-US')} characters in all)`;
}

/** Column names joined by `separator` for an error message, cut by {@link excerpt}. */
export function listColumns(columns: readonly string[], separator = ', '): string {
  return excerpt(columns.map((name) => excerpt(name, 60)).join(separator));
}
