/**
 * Numeric ids kept in ascending order, so lists can be cut by key ("after id N") rather than by
 * offset: a key cut neither skips nor repeats items when others are added or removed between calls.
 * Ids come from increasing counters, so `add` is an append in practice.
 */
export class SortedIdIndex {
  private ids: number[] = [];

  get size(): number {
    return this.ids.length;
  }

  add(id: number): void {
    const last = this.ids[this.ids.length - 1];
    if (last === undefined || id > last) {
      this.ids.push(id);
      return;
    }
    const at = this.lowerBound(id);
    if (this.ids[at] !== id) this.ids.splice(at, 0, id);
  }

  remove(id: number): void {
    const at = this.lowerBound(id);
    if (this.ids[at] === id) this.ids.splice(at, 1);
  }

  clear(): void {
    this.ids = [];
  }

  all(): readonly number[] {
    return this.ids;
  }

  /** Up to `limit` ids greater than `after` (all ids when undefined), ascending. */
  ascending(after: number | undefined, limit: number): { ids: number[]; hasMore: boolean } {
    const start = after === undefined ? 0 : this.upperBound(after);
    const end = Math.min(start + limit, this.ids.length);
    return { ids: this.ids.slice(start, end), hasMore: end < this.ids.length };
  }

  /** Up to `limit` ids smaller than `before` (all ids when undefined), descending. */
  descending(before: number | undefined, limit: number): { ids: number[]; hasMore: boolean } {
    const end = before === undefined ? this.ids.length : this.lowerBound(before);
    const start = Math.max(0, end - limit);
    return { ids: this.ids.slice(start, end).reverse(), hasMore: start > 0 };
  }

  /** Index of the first id >= `id`. */
  private lowerBound(id: number): number {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.ids[mid] as number) < id) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Index of the first id > `id`. */
  private upperBound(id: number): number {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.ids[mid] as number) <= id) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
