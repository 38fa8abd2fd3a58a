package io.jobpulse.devstack;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/** Run in a separate JVM by the tests: starts PostgreSQL on a directory, writes a row, reports the postmaster pid, waits to be killed. */
public final class PostgresInChildJvm {

    private PostgresInChildJvm() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Path.of(args[0]), 0, false);
        try (Connection db = DriverManager.getConnection(server.jdbcUrl(), EmbeddedPostgresServer.USER, server.password());
             Statement sql = db.createStatement()) {
            sql.execute("CREATE TABLE kept (v text)");
            sql.execute("INSERT INTO kept VALUES ('survives a restart')");
        }
        System.out.println("READY " + server.pid());
        System.out.flush();
        Thread.currentThread().join();
    }
}
