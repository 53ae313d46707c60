package io.fashionstream.worker.release;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The deployment a worker process serves, switched as a whole between batches: worker threads
 * read {@link #current()} at the start of each batch; {@link #deploy} puts the next one in place
 * at once (no thread waits for it) and retires the releases it no longer holds. Thread-safe.
 */
public final class LiveModels implements AutoCloseable {
    private volatile Deployment current;
    private final List<BiConsumer<Deployment, Deployment>> listeners = new CopyOnWriteArrayList<>();

    public LiveModels(Deployment first) {
        this.current = first;
    }

    /** The deployment of the next batch. */
    public Deployment current() {
        return current;
    }

    /** Calls {@code listener} with the old and the new deployment after every switch. */
    public void onSwitch(BiConsumer<Deployment, Deployment> listener) {
        listeners.add(listener);
    }

    /** Serves {@code next} from the next batch on; releases it does not keep are retired. */
    public void deploy(Deployment next) {
        for (LiveRelease r : next.releases()) {
            if (r.retired()) {
                throw new IllegalArgumentException(r.id() + " was retired: load it again to serve it");
            }
        }
        Deployment old;
        synchronized (this) {
            old = current;
            current = next;
        }
        listeners.forEach(l -> l.accept(old, next));
        for (LiveRelease r : old.releases()) {
            if (!next.releases().contains(r)) {
                r.retire();
            }
        }
    }

    /** Retires every live release. */
    @Override
    public synchronized void close() {
        current.releases().forEach(LiveRelease::retire);
    }
}
