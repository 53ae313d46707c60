package io.fashionstream.worker.batch;

import io.fashionstream.worker.release.LiveRelease;
import io.fashionstream.worker.release.Role;

/** One release's forward pass over (part of) a batch: how many images and how long, for the per-release metrics. */
public record ReleasePass(LiveRelease release, Role role, int images, long nanos) {
}
