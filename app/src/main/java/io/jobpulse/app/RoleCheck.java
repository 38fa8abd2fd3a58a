package io.jobpulse.app;

import io.jobpulse.app.security.KeysCommand;
import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Refuses to start with an unknown or empty role list: a misspelt role would otherwise start an
 * instance that silently plays no part. The context of {@code jobpulse keys}, which only needs the
 * database, plays no role on purpose and is not checked.
 */
@Context
@Requires(notEnv = KeysCommand.ENVIRONMENT)
public class RoleCheck {

    static final Set<String> KNOWN = Set.of("ingest", "topology", "projections", "push", "notifications");

    public RoleCheck(@Property(name = Roles.PROPERTY) String roles) {
        List<String> named = Arrays.stream(roles.split(",")).map(String::strip).filter(r -> !r.isEmpty()).toList();
        List<String> unknown = named.stream().filter(r -> !KNOWN.contains(r)).toList();
        if (named.isEmpty() || !unknown.isEmpty()) {
            throw new IllegalStateException("jobpulse.roles (JOBPULSE_ROLES) must name one or more of "
                    + "ingest, topology, projections, push" + (unknown.isEmpty() ? "" : "; unknown: " + String.join(", ", unknown)));
        }
    }
}
