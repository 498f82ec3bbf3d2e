package io.baton.actors.worker;

import io.baton.actors.CborSerializable;
import java.time.Instant;

/**
 * One change of a GPU's status, kept so that an operator can see why every GPU is where it is,
 * even after a full cluster restart.
 *
 * @param by an operator's name, "fleet-controller", or the reporting agent
 */
public record HistoryEntry(GpuStatus from, GpuStatus to, String by, String reason, Instant at)
    implements CborSerializable {}
