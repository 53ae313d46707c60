package io.fashionstream.tools.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * When answers became visible, and for which input partition: what a pause in answering is
 * measured on. Under a steady input rate answers keep coming, so the longest gap between
 * consecutive answers in a window is how long answering stopped. Thread-safe.
 */
final class AnswerTimeline {
    private final List<long[]> answers = new ArrayList<>();

    /** An answer for an input of {@code partition} became visible at {@code nanos} ({@link System#nanoTime()}). */
    synchronized void add(int partition, long nanos) {
        answers.add(new long[] {nanos, partition});
    }

    /**
     * The longest stretch within {@code [from, to]} without any answer, in seconds, counting the
     * start of the window as an answer (a pause that begins at a kill counts from the kill).
     */
    synchronized double longestPause(long from, long to) {
        return longestGap(from, to, -1);
    }

    /**
     * The longest stretch within {@code [from, to]} in which some input partition got no answer:
     * the pause of the partitions a dead member held, which the others do not show.
     */
    synchronized double slowestPartitionPause(long from, long to) {
        double slowest = 0;
        for (long partition : partitions()) {
            slowest = Math.max(slowest, longestGap(from, to, partition));
        }
        return slowest;
    }

    /**
     * How long after {@code from} every input partition that had answers before it has answered
     * again, in seconds; {@code to - from} when one has not by {@code to}.
     */
    synchronized double allPartitionsBack(long from, long to) {
        double back = 0;
        for (long partition : partitions()) {
            boolean before = false;
            long first = -1;
            for (long[] a : answers) {
                if (a[1] != partition) {
                    continue;
                }
                if (a[0] <= from) {
                    before = true;
                } else if (a[0] <= to && first < 0) {
                    first = a[0];
                }
            }
            if (before) {
                back = Math.max(back, (first < 0 ? to - from : first - from) / 1e9);
            }
        }
        return back;
    }

    /** When the first answer after {@code nanos} became visible, or -1 if none has yet. */
    synchronized long firstAnswerAfter(long nanos) {
        for (long[] a : answers) {
            if (a[0] > nanos) {
                return a[0];
            }
        }
        return -1;
    }

    private List<Long> partitions() {
        List<Long> seen = new ArrayList<>();
        for (long[] a : answers) {
            if (!seen.contains(a[1])) {
                seen.add(a[1]);
            }
        }
        return seen;
    }

    /** Gaps between answers of {@code partition} (all when negative) within the window, the window's end included. */
    private double longestGap(long from, long to, long partition) {
        long previous = from;
        long longest = 0;
        for (long[] a : answers) {
            if ((partition >= 0 && a[1] != partition) || a[0] < from || a[0] > to) {
                continue;
            }
            longest = Math.max(longest, a[0] - previous);
            previous = a[0];
        }
        longest = Math.max(longest, to - previous);
        return longest / 1e9;
    }
}
