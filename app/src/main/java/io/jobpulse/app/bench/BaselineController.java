package io.jobpulse.app.bench;

import io.swagger.v3.oas.annotations.Hidden;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;

/**
 * {@code POST /bench/baseline}: reads the body and answers 202, doing nothing else. It is the
 * baseline of the submit benchmark ({@code bench/submit-throughput.sh}): the same Micronaut server,
 * filters and JVM as {@code POST /v1/jobs}, without Jobpulse's work (authentication, validation,
 * the event and its acknowledgement), so the two rates side by side say what that work costs.
 * It takes no credential, so it exists only where {@code jobpulse.bench.baseline-endpoint} is
 * {@code true}, which only the benchmarks set.
 */
@Hidden
@Controller(BaselineController.PATH)
@Requires(property = BaselineController.PROPERTY, value = "true")
@Secured(SecurityRule.IS_ANONYMOUS)
public class BaselineController {

    public static final String PROPERTY = "jobpulse.bench.baseline-endpoint";
    public static final String PATH = "/bench/baseline";

    /** The answer: how many bytes of body were read, so that a client sees the body was taken. */
    public record Received(int bytes) {
    }

    @Post
    @Consumes(MediaType.ALL)
    public HttpResponse<Received> answer(@Body byte[] body) {
        return HttpResponse.accepted().body(new Received(body == null ? 0 : body.length));
    }
}
