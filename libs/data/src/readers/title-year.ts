/** The release year written at the end of a MovieLens title ("Toy Story (1995)"), if any. */
export function yearOfTitle(title: string): string | undefined {
  const match = /\((\d{4})\)\s*$/.exec(title);
  return match?.[1];
}
