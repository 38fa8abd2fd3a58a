package io.jobpulse.app.apidocs;

import io.jobpulse.app.dashboard.DashboardController;
import io.jobpulse.app.security.StreamTokenController;
import io.jobpulse.http.ApiContract;
import io.jobpulse.ingest.BatchesController;
import io.jobpulse.ingest.JobsController;
import io.jobpulse.ingest.WebhookController;
import io.jobpulse.notifications.EndpointsController;
import io.jobpulse.projections.BatchListController;
import io.jobpulse.projections.JobListController;
import io.jobpulse.push.SseTransport;
import io.jobpulse.topology.BatchStateController;
import io.jobpulse.topology.JobStateController;
import io.micronaut.openapi.annotation.OpenAPIInclude;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeIn;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * The root of Jobpulse's OpenAPI document ({@code GET /openapi.yml}), read by micronaut-openapi's
 * annotation processor when this module compiles. The controllers live in several modules, and
 * the processor sees only the classes of the compilation it runs in, so they are named here with
 * {@link OpenAPIInclude}: it reads each one from the compiled module on the classpath, with its
 * swagger annotations. {@code OpenApiTest} fails when a served route is missing, so a new
 * controller left out of this list is caught; so is a management endpoint the server gains (the
 * second list names those it has, by class name, as Micronaut describes them). What the processor cannot see (the WebSocket, whose
 * messages are no HTTP operation, and the problem types every operation shares) is in
 * {@code src/main/openapi/}, merged into the same document at build time.
 *
 * <p>Left out, on purpose: {@code POST /bench/baseline} (only the benchmarks enable it) and
 * {@code GET /dev/sign-in} (only {@code ./jobpulse dev} serves it, to this machine): neither is part
 * of the API a deployment offers.
 */
@OpenAPIDefinition(
        info = @Info(title = "Jobpulse", version = "1",
                description = """
                        Jobs submitted over HTTP, reported on by workers and providers, followed live over Server-Sent \
                        Events or a WebSocket. Every change is an event on Kafka; `GET /v1/jobs/{id}` reads the current \
                        state, the lists read PostgreSQL.

                        Every error is `application/problem+json` (RFC 9457) with a stable `type` URI: see the `Problem` \
                        schema for the list. Every request but `/health`, the signed provider webhooks, the dashboard's \
                        files and this reference needs a credential (`bearerJwt`, `apiKey`, or for streams `streamToken`)."""),
        tags = {
                @Tag(name = "Jobs", description = "Submit jobs, report on them, cancel, retry, poll a provider; read one job."),
                @Tag(name = "Batches", description = "Submit jobs as a batch in one transaction, add to it, close or cancel it; read one batch."),
                @Tag(name = "Read model", description = "Job and batch lists, summaries and timelines from PostgreSQL."),
                @Tag(name = "Streams", description = "Live changes: Server-Sent Events, the WebSocket, stream tokens for browsers."),
                @Tag(name = "Provider webhooks", description = "Callbacks from providers, authenticated by their signatures."),
                @Tag(name = "Endpoints", description = "Webhooks to your backend: endpoints and their deliveries."),
                @Tag(name = "Service", description = "Health, metrics, the dashboard's files and this reference.")
        },
        security = {@SecurityRequirement(name = ApiContract.BEARER_JWT), @SecurityRequirement(name = ApiContract.API_KEY)})
@SecurityScheme(name = ApiContract.BEARER_JWT, type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
        description = """
                A user's JWT (HS256 with `jobpulse.security.jwt-secret`, or an identity provider's keys): `sub` is the \
                owner, `exp` is required, `scope` may narrow it (`jobpulse:jobs:submit`, `jobpulse:jobs:report`, \
                `jobpulse:jobs:read`; `jobpulse:admin` acts over every owner).""")
@SecurityScheme(name = ApiContract.API_KEY, type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "jp_<id>_<secret>",
        description = """
                A service's API key (`./jobpulse keys create`), sent as `Authorization: Bearer jp_<id>_<secret>`, \
                with scopes and optionally one owner it acts for.""")
@SecurityScheme(name = ApiContract.STREAM_TOKEN, type = SecuritySchemeType.APIKEY, in = SecuritySchemeIn.QUERY, paramName = "token",
        description = """
                A short-lived stream token (`POST /v1/stream-tokens`, `jst_…`) for a browser's EventSource or \
                WebSocket, which cannot send headers: `?token=`. It allows subscribing only, one stream at a time.""")
@SecurityScheme(name = ApiContract.PROVIDER_SIGNATURE, type = SecuritySchemeType.APIKEY, in = SecuritySchemeIn.HEADER,
        paramName = "webhook-signature",
        description = """
                Provider callbacks carry no credential of a user: the provider signs the raw body (Standard Webhooks \
                `webhook-id`/`webhook-timestamp`/`webhook-signature`, Svix's `svix-*`, Replicate's, fal's ED25519 \
                `x-fal-webhook-*`, per provider), and the job is bound by the `token` in the webhook URL the submission \
                answered. Outbound deliveries to your endpoints are signed the same way (Standard Webhooks) with the \
                endpoint's `whsec_` secret.""")
@OpenAPIInclude(classes = {
        JobsController.class, JobStateController.class, BatchesController.class, BatchStateController.class, JobListController.class, BatchListController.class, WebhookController.class,
        SseTransport.class, StreamTokenController.class, EndpointsController.class, DashboardController.class,
        ApiDocsController.class})
@OpenAPIInclude(tags = @Tag(name = "Service"), classNames = {
        "io.micronaut.management.endpoint.health.HealthEndpoint",
        "io.micronaut.management.endpoint.beans.BeansEndpoint",
        "io.micronaut.management.endpoint.info.InfoEndpoint",
        "io.micronaut.management.endpoint.refresh.RefreshEndpoint",
        "io.micronaut.management.endpoint.routes.RoutesEndpoint",
        "io.micronaut.management.endpoint.threads.ThreadDumpEndpoint",
        "io.micronaut.flyway.endpoint.FlywayEndpoint",
        "io.micronaut.configuration.metrics.management.endpoint.MetricsEndpoint",
        "io.micronaut.configuration.metrics.micrometer.prometheus.management.PrometheusEndpoint",
        "io.micronaut.security.endpoints.introspection.IntrospectionController"})
public final class ApiDescription {

    private ApiDescription() {
    }
}
