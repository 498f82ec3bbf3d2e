package io.baton.workers.agent;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The meters a GPU's keeper and its runs write, shared by every GPU of the node (Micrometer's are
 * thread-safe): XIDs by code and class, resumes by kind of token, the runs' journal acknowledgements.
 */
record GpuMeters(MeterRegistry registry, ResumeMetrics resumes, RunnerMetrics runner) {
  static GpuMeters of(MeterRegistry registry) {
    return new GpuMeters(registry, new ResumeMetrics(registry), new RunnerMetrics(registry));
  }
}
