package io.jobpulse.app.health;

import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.jdbc.DataSourceResolver;
import jakarta.inject.Singleton;
import io.micronaut.management.health.indicator.HealthResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

/**
 * Readiness: PostgreSQL answers {@code select 1}. Only on instances whose roles read or write it (projections,
 * notifications). A frozen server (connected, silent) is told by the deadline of {@link DeadlineIndicator}, as a JDBC
 * query timeout cannot be: cancelling a query needs the server to answer.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = "(.*,)?\\s*(projections|notifications)\\s*(,.*)?")
@Requires(beans = DataSource.class)
public class PostgresIndicator extends DeadlineIndicator {

    private final DataSource dataSource;

    /** @param resolver unwraps the application's data source, which hands out connections only inside a transaction */
    public PostgresIndicator(DataSource dataSource, @Nullable DataSourceResolver resolver, HealthConfiguration config) {
        super("postgresql", config);
        this.dataSource = (resolver == null ? DataSourceResolver.DEFAULT : resolver).resolve(dataSource);
    }

    @Override
    protected HealthResult check() throws Exception {
        long started = System.nanoTime();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("select 1");
        }
        return up(Map.of("answeredIn", (System.nanoTime() - started) / 1_000_000 + " ms"));
    }
}
