package io.jobpulse.app.security;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SocketOriginsTest {

    @Test
    void anOriginIsSchemeHostAndPortWithTheDefaultPortWrittenOrNot() {
        assertThat(SocketOrigins.sameOrigin("http://localhost:8080", "http://localhost:8080")).isTrue();
        assertThat(SocketOrigins.sameOrigin("https://Jobs.Example.com", "https://jobs.example.com:443")).isTrue();
        assertThat(SocketOrigins.sameOrigin("http://jobs.example.com", "http://jobs.example.com:80")).isTrue();
    }

    @Test
    void anotherSchemeHostOrPortIsAnotherOrigin() {
        assertThat(SocketOrigins.sameOrigin("http://localhost:8080", "http://localhost:8081")).isFalse();
        assertThat(SocketOrigins.sameOrigin("http://localhost:8080", "http://127.0.0.1:8080")).isFalse();
        assertThat(SocketOrigins.sameOrigin("http://jobs.example.com", "https://jobs.example.com")).isFalse();
        assertThat(SocketOrigins.sameOrigin("https://jobs.example.com.evil.example", "https://jobs.example.com")).isFalse();
    }

    @Test
    void whatIsNoOriginMatchesNothing() {
        assertThat(SocketOrigins.sameOrigin("null", "http://localhost:8080")).isFalse();
        assertThat(SocketOrigins.sameOrigin("not an origin", "http://localhost:8080")).isFalse();
        assertThat(SocketOrigins.sameOrigin("", "")).isFalse();
    }
}
