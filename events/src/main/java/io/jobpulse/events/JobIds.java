package io.jobpulse.events;

import java.util.regex.Pattern;

/** What a job id may look like: 1-128 letters, digits and {@code . _ : -}, starting with a letter or digit. */
public final class JobIds {

    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private JobIds() {
    }

    /** Whether an id could name a job; anything else names none, and is answered 404 without a lookup. */
    public static boolean isWellFormed(String id) {
        return id != null && WELL_FORMED.matcher(id).matches();
    }
}
