package io.fashionstream.worker.fetch;

import io.fashionstream.worker.records.ImageReference;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fetch stage: images by reference are fetched ahead of their batch, on threads of their own
 * (as many as {@code --fetch-concurrency}), from the moment a worker thread sees them
 * ({@link #prefetch}); a batch's decoding starts once its fetches are done or given up on
 * ({@link #ready}), and reads the fetched bytes in place of the record's value ({@link #valueOf}).
 * So a slow or dead server holds neither the worker thread nor the group membership; it holds its
 * batch at most the fetch deadline, and its record becomes a dead letter. A fetch belongs to the
 * record object it was started for: a record polled again (after a rewind, or by another worker
 * after a crash) is fetched again, so nothing is published for bytes that were not fetched whole
 * in this unit. One per process, shared by its worker threads; thread-safe.
 */
public final class FetchStage implements AutoCloseable {
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30)};
    private static final double[] SIZE_BUCKETS = {1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20,
            16 << 20, 64 << 20};

    private final ImageFetcher fetcher;
    private final ExecutorService threads;
    /** Record objects are compared by identity; an entry goes when its record is garbage. */
    private final Map<ConsumerRecord<byte[], byte[]>, CompletableFuture<Fetched>> started =
            Collections.synchronizedMap(new WeakHashMap<>());
    private final AtomicInteger inFlight = new AtomicInteger();
    private MeterRegistry registry;

    public FetchStage(FetchSettings settings, int maxImageBytes) {
        this.fetcher = new ImageFetcher(settings, maxImageBytes);
        AtomicInteger index = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(settings.concurrency(), r -> {
            Thread t = new Thread(r, "fetch-" + index.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers the fetch meters: latency and bytes per allow-list entry, outcomes by reason, in flight. */
    public void bindTo(MeterRegistry meters) {
        this.registry = meters;
        Gauge.builder("fashion.fetch.in.flight", inFlight, AtomicInteger::get)
                .description("Images by reference being fetched now")
                .register(meters);
    }

    /** Starts fetching every reference among {@code records} not being fetched yet; says whether there was any. */
    public boolean prefetch(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        boolean any = false;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (ImageReference.isReference(r)) {
                future(r);
                any = true;
            }
        }
        return any;
    }

    /** Completes when every reference among {@code records} is fetched or given up on; starts those not started. */
    public CompletableFuture<Void> ready(List<ConsumerRecord<byte[], byte[]>> records) {
        List<CompletableFuture<Fetched>> pending = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (ImageReference.isReference(r)) {
                pending.add(future(r));
            }
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
                .exceptionally(failedOnes -> null); // each failure is the answer of its own record
    }

    /**
     * The image bytes of {@code record}: its value, or for a reference the bytes fetched for it
     * (waiting for them if {@link #ready} was not awaited). Throws why a reference was not fetched.
     */
    public Fetched valueOf(ConsumerRecord<byte[], byte[]> record) throws FetchException {
        if (!ImageReference.isReference(record)) {
            return null;
        }
        try {
            return future(record).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof FetchException f) {
                throw f;
            }
            throw new FetchException(FetchException.Reason.FETCH_FAILED, String.valueOf(e.getCause()), e.getCause());
        }
    }

    private CompletableFuture<Fetched> future(ConsumerRecord<byte[], byte[]> record) {
        return started.computeIfAbsent(record, r -> {
            CompletableFuture<Fetched> f = new CompletableFuture<>();
            threads.execute(() -> run(r, f));
            return f;
        });
    }

    private void run(ConsumerRecord<byte[], byte[]> record, CompletableFuture<Fetched> result) {
        inFlight.incrementAndGet();
        long start = System.nanoTime();
        String host = "none";
        try {
            URI url = ImageReference.url(record);
            if (!fetcher.enabled()) {
                throw FetchException.forbidden("fetching is off: --fetch-allow names no host");
            }
            host = fetcher.allowedBy(url);
            Fetched fetched = fetcher.fetch(url);
            record(fetched.allowedBy(), "ok", start, fetched.bytes().length);
            result.complete(fetched);
        } catch (FetchException e) {
            record(host, e.reason().label(), start, -1);
            result.completeExceptionally(e);
        } catch (RuntimeException e) {
            record(host, FetchException.Reason.FETCH_FAILED.label(), start, -1);
            result.completeExceptionally(new FetchException(FetchException.Reason.FETCH_FAILED, e.toString(), e));
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void record(String host, String outcome, long startNanos, long bytes) {
        if (registry == null) {
            return;
        }
        Timer.builder("fashion.fetch")
                .description("Fetching one image by reference, retries included; host: the --fetch-allow entry")
                .tags("host", host, "outcome", outcome)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry)
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        if (bytes >= 0) {
            DistributionSummary.builder("fashion.fetch.bytes")
                    .description("Size of the images fetched")
                    .baseUnit("bytes")
                    .tags("host", host)
                    .serviceLevelObjectives(SIZE_BUCKETS)
                    .register(registry)
                    .record(bytes);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
        fetcher.close();
    }
}
