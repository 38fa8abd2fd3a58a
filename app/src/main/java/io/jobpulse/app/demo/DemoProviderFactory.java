package io.jobpulse.app.demo;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.util.Base64;
import java.util.List;

/**
 * The demo's {@link PretendProvider}: unreliable, signing with the {@code demo} provider's secret, on
 * the loopback port {@code jobpulse.demo.provider-port} that the {@code demo} provider's status URL names.
 */
@Factory
@Requires(property = "jobpulse.demo.enabled", value = "true")
class DemoProviderFactory {

    @Singleton
    @Bean(preDestroy = "close")
    PretendProvider demoProvider(@Property(name = "jobpulse.providers.demo.secrets") List<String> secrets,
                                 @Property(name = "jobpulse.demo.seed", defaultValue = "0") long seed,
                                 @Property(name = "jobpulse.demo.provider-port", defaultValue = "0") int port) throws IOException {
        byte[] secret = Base64.getDecoder().decode(secrets.getFirst().replaceFirst("^whsec_", ""));
        return new PretendProvider(PretendProvider.Behaviour.unreliable(secret, seed), port);
    }
}
