package io.jobpulse.push;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class InboxTest {

    @Test
    void handlesMessagesOneAtATimeInTheOrderTheyCame() throws Exception {
        try (ExecutorService executor = Executors.newFixedThreadPool(8)) {
            Inbox inbox = new Inbox(executor);
            List<Integer> handled = new CopyOnWriteArrayList<>();
            AtomicInteger atOnce = new AtomicInteger();
            AtomicInteger mostAtOnce = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(500);
            IntStream.range(0, 500).forEach(i -> inbox.add(() -> {
                mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
                handled.add(i);
                atOnce.decrementAndGet();
                done.countDown();
            }));

            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(handled).containsExactlyElementsOf(IntStream.range(0, 500).boxed().toList());
            assertThat(mostAtOnce.get()).isEqualTo(1);
        }
    }

    @Test
    void aSlowMessageHoldsUpItsOwnInboxOnly() throws Exception {
        try (ExecutorService executor = Executors.newFixedThreadPool(2)) {
            Inbox slow = new Inbox(executor);
            Inbox other = new Inbox(executor);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch afterTheSlowOne = new CountDownLatch(1);
            CountDownLatch otherDone = new CountDownLatch(3);
            CountDownLatch slowStarted = new CountDownLatch(1);
            slow.add(() -> {
                slowStarted.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            slow.add(afterTheSlowOne::countDown);
            IntStream.range(0, 3).forEach(i -> other.add(otherDone::countDown));

            try {
                assertThat(otherDone.await(10, TimeUnit.SECONDS)).as("the other socket's messages").isTrue();
                assertThat(slowStarted.await(10, TimeUnit.SECONDS)).as("the slow message is being handled").isTrue();
                assertThat(afterTheSlowOne.getCount()).as("waits for the slow one").isEqualTo(1);
                assertThat(slow.waiting()).isEqualTo(2);
            } finally {
                // Released whatever the assertions found, or closing the executor would wait for the slow message forever.
                release.countDown();
            }
            assertThat(afterTheSlowOne.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aFailingMessageDoesNotStopThoseAfterIt() throws Exception {
        try (ExecutorService executor = Executors.newSingleThreadExecutor()) {
            Inbox inbox = new Inbox(executor);
            CountDownLatch next = new CountDownLatch(1);
            inbox.add(() -> {
                throw new IllegalStateException("a handling that failed");
            });
            inbox.add(next::countDown);
            assertThat(next.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
