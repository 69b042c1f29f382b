/** Reads one response header by its (case-insensitive) name; `Headers` satisfies it. */
export interface HeaderReader {
  get(name: string): string | null;
}
