package io.jobpulse.app.security;

import io.micronaut.context.BeanContext;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.security.token.jwt.signature.ReactiveSignatureConfiguration;
import io.micronaut.security.token.jwt.signature.SignatureConfiguration;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails closed: a server that has no way to verify a JWT's signature refuses to start. Without
 * any signature configuration Micronaut Security would take an unsigned token
 * ({@code alg: none}) as verified, so anyone could be anyone. With one, unsigned tokens and
 * algorithms no configuration supports are refused. Also warns when no issuer or audience is
 * checked. Only servers are checked: the command line tools serve no requests.
 */
@Singleton
public class VerificationCheck implements BeanCreatedEventListener<EmbeddedServer> {

    private static final Logger LOG = LoggerFactory.getLogger(VerificationCheck.class);

    private final BeanContext beans;

    public VerificationCheck(BeanContext beans) {
        this.beans = beans;
    }

    @Override
    public EmbeddedServer onCreated(BeanCreatedEvent<EmbeddedServer> event) {
        if (beans.getBeansOfType(SignatureConfiguration.class).isEmpty()
                && beans.getBeansOfType(ReactiveSignatureConfiguration.class).isEmpty()) {
            throw new IllegalStateException("no way to verify JWT signatures is configured, so no request could be"
                    + " authenticated safely: set " + JwtSecret.PROPERTY + " (JOBPULSE_JWT_SECRET, 32+ bytes) or an identity"
                    + " provider's keys (micronaut.security.token.jwt.signatures.jwks.<name>.url); see docs/security.md");
        }
        SecurityConfiguration config = beans.getBean(SecurityConfiguration.class);
        if (config.jwtIssuer() == null || config.jwtAudience() == null) {
            LOG.warn("JWTs are accepted from any issuer and for any audience that the configured keys sign: set"
                    + " jobpulse.security.jwt-issuer (JOBPULSE_JWT_ISSUER) and jobpulse.security.jwt-audience"
                    + " (JOBPULSE_JWT_AUDIENCE) so that tokens minted for other applications are refused");
        }
        return event.getBean();
    }
}
