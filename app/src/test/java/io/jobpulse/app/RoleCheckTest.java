package io.jobpulse.app;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoleCheckTest {

    @Test
    void acceptsKnownRolesWithSpaces() {
        assertThatCode(() -> new RoleCheck("ingest, push")).doesNotThrowAnyException();
    }

    @Test
    void refusesAMisspeltRole() {
        assertThatThrownBy(() -> new RoleCheck("ingest,projection"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown: projection");
    }

    @Test
    void refusesAnEmptyRoleList() {
        assertThatThrownBy(() -> new RoleCheck(" , ")).isInstanceOf(IllegalStateException.class);
    }
}
