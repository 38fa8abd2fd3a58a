package io.jobpulse.push;

import io.jobpulse.http.Caller;

import java.util.Optional;

/** Redeems a fresh stream token presented on an open WebSocket, so that it outlives the first. */
public interface StreamRenewals {

    /** The caller a stream token stands for, once; empty when it is unknown, used or expired. */
    Optional<Caller> redeem(String token);
}
