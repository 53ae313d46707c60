package io.fashionstream.worker.produce;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress off a terminal (containers, pipes, CI logs): one plain line per interval, no control
 * codes, nothing at the end (the command's summary line says how it ended).
 */
final class ProgressLog implements AutoCloseable {
    private final AtomicLong done = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fashion-produce-progress");
        t.setDaemon(true);
        return t;
    });
    private final PrintWriter out;
    private final long total;
    private final long startNanos = System.nanoTime();

    /** @param total images to send, or {@link Long#MAX_VALUE} when looping until stopped */
    ProgressLog(PrintWriter out, long total, Duration interval) {
        this.out = out;
        this.total = total;
        timer.scheduleAtFixedRate(this::print, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void step() {
        done.incrementAndGet();
    }

    /** The line printed now: {@code sent 1,200/10,000 images, 240/s}. */
    String line() {
        long n = done.get();
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        return String.format("sent %,d%s images, %,.0f/s", n, total == Long.MAX_VALUE ? "" : String.format("/%,d", total),
                n / seconds);
    }

    private void print() {
        out.println(line());
        out.flush();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS); // a line being printed is finished before the summary
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
