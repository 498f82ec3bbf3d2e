package io.baton.actors.worker;

import io.baton.actors.CborSerializable;
import java.time.Instant;

/**
 * An XID as it was recorded. The class is the one the catalog gave at the time, so the record stays
 * true if the catalog is edited later.
 *
 * @param detail the kernel log line or the injected fault's description
 * @param reportedBy the agent (or chaos tool) that saw the XID
 */
public record XidReport(int code, XidClass xidClass, String detail, String reportedBy, Instant at)
    implements CborSerializable {}
