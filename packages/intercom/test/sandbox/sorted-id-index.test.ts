import { describe, expect, it } from "vitest";
import { SortedIdIndex } from "../../src/sandbox/sorted-id-index.js";

describe("SortedIdIndex", () => {
  it("keeps ids ordered whatever the insertion order, without duplicates", () => {
    const index = new SortedIdIndex();
    for (const id of [5, 1, 9, 3, 9, 7]) index.add(id);
    expect(index.all()).toEqual([1, 3, 5, 7, 9]);
    index.remove(5);
    index.remove(42);
    expect(index.all()).toEqual([1, 3, 7, 9]);
  });

  it("cuts by key in both directions, also after the cursor's own id is gone", () => {
    const index = new SortedIdIndex();
    for (let id = 1; id <= 10; id++) index.add(id);
    expect(index.ascending(undefined, 3)).toEqual({ ids: [1, 2, 3], hasMore: true });
    expect(index.ascending(3, 3)).toEqual({ ids: [4, 5, 6], hasMore: true });
    expect(index.ascending(8, 5)).toEqual({ ids: [9, 10], hasMore: false });
    expect(index.descending(undefined, 4)).toEqual({ ids: [10, 9, 8, 7], hasMore: true });
    index.remove(7);
    expect(index.descending(7, 4)).toEqual({ ids: [6, 5, 4, 3], hasMore: true });
    expect(index.descending(3, 4)).toEqual({ ids: [2, 1], hasMore: false });
    index.remove(4);
    expect(index.ascending(4, 2)).toEqual({ ids: [5, 6], hasMore: true });
  });
});
