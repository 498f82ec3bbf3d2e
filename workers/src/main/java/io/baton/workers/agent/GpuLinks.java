package io.baton.workers.agent;

import io.baton.actors.session.SessionCommand;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.persistence.kv.KvBlockStore;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Everything a {@link GpuKeeper} talks to besides its engine: given as references, so a test can
 * stand probes in for the GpuWorker entity, the sessions and the report topic.
 *
 * @param worker the GPU's GpuWorker entity
 * @param sessions a session's entity, by id
 * @param reports the topic the GPU's {@link GpuReport}s go to
 * @param agent the agent: told when a node-fatal XID takes the whole host out
 * @param by who the keeper's changes are recorded as ({@code agent@<node>})
 * @param store the KV block store for checkpoints and restores; null turns both off
 * @param costModel whether a fresh session's prompt blocks are restored; null: never
 */
record GpuLinks(
    RecipientRef<GpuWorkerCommand> worker,
    Function<String, RecipientRef<SessionCommand>> sessions,
    ActorRef<Topic.Command<GpuReport>> reports,
    ActorRef<AgentCommand> agent,
    String nodeId,
    String by,
    KvBlockStore store,
    ResumeCostModel costModel,
    GpuMeters meters) {}
