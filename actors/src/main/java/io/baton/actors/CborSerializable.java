package io.baton.actors;

/**
 * Marker for every message, event and state that crosses the wire or reaches the journal. It is
 * bound to Pekko's Jackson CBOR serializer in reference.conf; Java serialization stays off.
 */
public interface CborSerializable {}
