package io.baton.workers.agent;

import io.baton.actors.CborSerializable;

/** A GPU's NVIDIA identity as the host's inventory lists it: what an operator matches with nvidia-smi. */
public record GpuIdentity(String pciBusId, String uuid) implements CborSerializable {}
