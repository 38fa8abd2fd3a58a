package io.jobpulse.projections;

import java.util.List;
import java.util.function.Function;

/**
 * One page cut from rows fetched one beyond the page size: the extra row, if there is one, only
 * tells that another page follows, whose cursor is the last row of this one.
 *
 * @param rows       the page's rows
 * @param nextCursor the cursor of the next page, or null on the last
 */
record PageOf<R>(List<R> rows, String nextCursor) {

    static <R> PageOf<R> of(List<R> fetched, int size, Function<R, PageCursor> cursorOf) {
        List<R> page = fetched.subList(0, Math.min(size, fetched.size()));
        return new PageOf<>(page, fetched.size() > size ? cursorOf.apply(page.getLast()).encode() : null);
    }
}
