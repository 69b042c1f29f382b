import type { RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource, toQuery } from "./resource.js";

/** Segments of contacts (not paginated). */
export class SegmentsResource extends Resource {
  list(query?: T.ListSegmentsQuery, options?: RequestOptions): Promise<T.SegmentList> {
    return this.call(
      "listSegments",
      [],
      { query: toQuery(query), responseSchema: S.SegmentListSchema },
      options,
    );
  }

  get(id: string, options?: RequestOptions): Promise<T.Segment> {
    return this.call("retrieveSegment", [id], { responseSchema: S.SegmentSchema }, options);
  }
}
