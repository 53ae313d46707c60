package io.fashionstream.worker.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two live processes on a host never share a transactional-id prefix; a restarted one gets its predecessor's. */
class PrefixLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondLiveProcessWithTheDefaultPrefixTakesTheNextAndARestartedOneTheFirstFreeAgain() throws Exception {
        PrefixLock first = PrefixLock.claim("fashion-worker-host", false, dir);
        PrefixLock second = PrefixLock.claim("fashion-worker-host", false, dir);
        assertEquals("fashion-worker-host", first.prefix());
        assertEquals("fashion-worker-host-1", second.prefix(), "the two would fence each other in turn");
        first.release(); // the first process ends (its lock goes with it, however it ends)
        PrefixLock restarted = PrefixLock.claim("fashion-worker-host", false, dir);
        assertEquals("fashion-worker-host", restarted.prefix(), "so it fences what its predecessor left open");
        restarted.release();
        second.release();
    }

    @Test
    void anExplicitPrefixALiveProcessHoldsIsRefused() throws Exception {
        PrefixLock held = PrefixLock.claim("worker-a", true, dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrefixLock.claim("worker-a", true, dir));
        assertTrue(e.getMessage().contains("in use by another live worker process"), e.getMessage());
        held.release();
        PrefixLock.claim("worker-a", true, dir).release();
    }
}
