package io.jobpulse.http;

/**
 * Names the OpenAPI document shares between modules: its security schemes, and the responses
 * every operation may give (defined once in the app's {@code src/main/openapi/problems.yml}), so
 * that a controller's annotations refer to them by one name instead of repeating them.
 */
public final class ApiContract {

    public static final String BEARER_JWT = "bearerJwt";
    public static final String API_KEY = "apiKey";
    public static final String STREAM_TOKEN = "streamToken";
    public static final String PROVIDER_SIGNATURE = "providerSignature";

    private static final String RESPONSES = "#/components/responses/";
    public static final String INVALID_REQUEST = RESPONSES + "InvalidRequest";
    public static final String UNAUTHORIZED = RESPONSES + "Unauthorized";
    public static final String FORBIDDEN = RESPONSES + "Forbidden";
    public static final String NOT_FOUND = RESPONSES + "NotFound";
    public static final String CONFLICT = RESPONSES + "Conflict";
    public static final String PAYLOAD_TOO_LARGE = RESPONSES + "PayloadTooLarge";
    public static final String UNSUPPORTED_MEDIA_TYPE = RESPONSES + "UnsupportedMediaType";
    public static final String RATE_LIMITED = RESPONSES + "RateLimited";
    public static final String UNAVAILABLE = RESPONSES + "Unavailable";
    public static final String INTERNAL = RESPONSES + "Internal";

    private ApiContract() {
    }
}
