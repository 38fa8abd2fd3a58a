package io.jobpulse.app;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Where an operator command looks for PostgreSQL before it logs in: the address of a one-host JDBC URL. */
class DeploymentTest {

    @Test
    void aOneHostUrlNamesTheAddressToTryFirstWithPostgresqlsPortByDefault() {
        assertThat(Deployment.hostAndPort("jdbc:postgresql://127.0.0.1:54329/jobpulse")).contains("127.0.0.1:54329");
        assertThat(Deployment.hostAndPort("jdbc:postgresql://db.internal/jobpulse?sslmode=require")).contains("db.internal:5432");
    }

    @Test
    void anyOtherFormIsLeftToTheDriverAlone() {
        assertThat(Deployment.hostAndPort("jdbc:postgresql://a:5432,b:5432/jobpulse")).isEmpty();
        assertThat(Deployment.hostAndPort("jdbc:postgresql://[::1]:5432/jobpulse")).isEmpty();
        assertThat(Deployment.hostAndPort("jdbc:postgresql:jobpulse")).isEmpty();
    }
}
