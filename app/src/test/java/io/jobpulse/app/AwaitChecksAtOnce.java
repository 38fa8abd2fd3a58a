package io.jobpulse.app;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;

/**
 * Every {@code await()} of the tests here checks its condition at once, then at its poll interval. Awaitility's
 * default first check comes one poll interval late (100 ms, or the interval a wait sets), which a condition that
 * already holds paid for nothing: a test sending 200 reports each through a wait spent 40 s asleep. Registered for
 * every test class through {@code META-INF/services} ({@code junit-platform.properties} turns that on).
 */
public final class AwaitChecksAtOnce implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        Awaitility.setDefaultPollDelay(Duration.ZERO);
    }
}
