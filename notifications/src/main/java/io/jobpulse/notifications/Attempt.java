package io.jobpulse.notifications;

/**
 * How one request to an endpoint went.
 *
 * @param status  the answer's HTTP status, or null when there was no answer
 * @param excerpt the start of the answer's body, or null
 * @param error   why there was no answer (a timeout, a refused address, a failed connection), or null
 */
record Attempt(Integer status, String excerpt, String error) {

    boolean delivered() {
        return status != null && status >= 200 && status < 300;
    }

    /** {@code 410 Gone}: the receiver says the endpoint is no more, and it is disabled. */
    boolean gone() {
        return status != null && status == 410;
    }
}
