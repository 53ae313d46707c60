package io.fashionstream.tools.bench;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ThreadCpuTest {
    @Test
    void groupsThreadsByTheNamesLinuxKeeps() {
        assertEquals("worker threads (poll, publish)", ThreadCpu.group("fashion-worker-"));
        assertEquals("decode helpers", ThreadCpu.group("decode-fashion-"));
        assertEquals("engine thread pools (forward pass)", ThreadCpu.group("java"));
        assertEquals("Kafka clients' I/O threads", ThreadCpu.group("kafka-producer-"));
        assertEquals("JVM JIT compiler", ThreadCpu.group("C2 CompilerThre"));
        assertEquals("JVM garbage collector", ThreadCpu.group("GC Thread#1"));
        assertEquals("broker and the rest", ThreadCpu.group("data-plane-kafk"));
        assertEquals("broker and the rest", ThreadCpu.group("javaagent"), "only the exact unnamed name is OpenMP's");
        assertTrue(ThreadCpu.groups().contains(ThreadCpu.OTHER_PROCESSES));
    }

    @Test
    void machineCountersAddUpTheBusyColumns() {
        // user nice system idle iowait irq softirq steal
        assertEquals(1 + 2 + 3 + 6 + 7 + 8, ThreadCpu.machineBusyTicks("cpu  1 2 3 4 5 6 7 8 9 10"));
    }

    @Test
    void chargesAThreadsCpuTimeToItsGroup() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ThreadCpu before = ThreadCpu.now();
        // Spins until it has had 200 ms of CPU, however long a busy machine makes that take, then
        // stays alive (a thread that has ended is no longer listed) until it has been counted.
        CountDownLatch counted = new CountDownLatch(1);
        CountDownLatch spun = new CountDownLatch(1);
        Thread spinner = new Thread(() -> {
            long x = 0;
            while (threads.getCurrentThreadCpuTime() < 200_000_000L) {
                x += System.nanoTime() % 7;
            }
            spun.countDown();
            try {
                counted.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "decode-spinner");
        long start = System.nanoTime();
        spinner.start();
        spun.await();
        ThreadCpu after = ThreadCpu.now();
        double seconds = (System.nanoTime() - start) / 1e9;
        counted.countDown();
        spinner.join();

        Map<String, Double> cores = after.coresSince(before);
        double spent = cores.get("decode helpers") * seconds;
        assertTrue(spent >= 0.15 && spent <= 0.35, "about 0.2 core-seconds charged, got " + spent + " of " + cores);
        assertTrue(cores.containsKey(ThreadCpu.OTHER_PROCESSES), cores.toString());
    }
}
