package io.baton.http.sessions;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.SessionEvent.AttemptFailed;
import io.baton.actors.session.SessionEvent.Cancelled;
import io.baton.actors.session.SessionEvent.Erased;
import io.baton.actors.session.SessionEvent.Completed;
import io.baton.actors.session.SessionEvent.Failed;
import io.baton.actors.session.SessionEvent.KvCheckpointed;
import io.baton.actors.session.SessionEvent.Placed;
import io.baton.actors.session.SessionEvent.Queued;
import io.baton.actors.session.SessionEvent.Submitted;
import io.baton.actors.session.SessionEvent.TokensAppended;
import io.baton.http.Json;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A session's audit trail, read straight from the journal: every event with its sequence number,
 * type, time and a summary of its payload (token chunks are summarised, not listed).
 */
public final class SessionEvents {
  private final ActorSystem<?> system;
  private final CassandraReadJournal journal;

  public SessionEvents(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(Adapter.toClassic(system))
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
  }

  public CompletionStage<ObjectNode> history(String sessionId) {
    String pid = PersistenceId.of(Session.ENTITY_KEY.name(), sessionId).id();
    return journal.currentEventsByPersistenceId(pid, 0L, Long.MAX_VALUE)
        .map(env -> describe(env.sequenceNr(), (SessionEvent) env.event()))
        .runWith(Sink.seq(), system)
        .thenApply(events -> {
          ObjectNode list = Json.MAPPER.createObjectNode();
          list.put("object", "list");
          list.put("session_id", sessionId);
          ArrayNode data = list.putArray("data");
          events.forEach(data::add);
          return list;
        });
  }

  static ObjectNode describe(long seqNr, SessionEvent event) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("seq_nr", seqNr);
    o.put("type", event.getClass().getSimpleName());
    ObjectNode summary = Json.MAPPER.createObjectNode();
    Instant at = null;
    if (event instanceof Submitted e) {
      at = e.at();
      summary.put("model", e.spec().model());
      summary.put("prompt_tokens", e.spec().promptTokens().size());
      summary.put("max_tokens", e.spec().maxTokens());
      summary.put("seed", e.spec().sampling().seed());
      summary.put("tenant", e.spec().tenant());
      // Null in events stored before the field existed; the entity's state upcasts it.
      summary.put("api", e.spec().api() == null ? null : e.spec().api().name().toLowerCase());
      summary.put("class", e.spec().serviceClass().wireName());
    } else if (event instanceof Placed e) {
      at = e.at();
      summary.put("attempt", e.attempt());
      summary.put("worker", e.workerId());
      summary.put("method", e.method().name());
      summary.put("resume_from", e.resumeFrom());
    } else if (event instanceof TokensAppended e) {
      at = e.at();
      summary.put("attempt", e.attempt());
      summary.put("from_index", e.fromIndex());
      summary.put("tokens", e.tokens().size());
      if (e.reusedTokens() > 0) {
        summary.put("reused_prompt_tokens", e.reusedTokens());
      }
    } else if (event instanceof KvCheckpointed e) {
      at = e.at();
      summary.put("attempt", e.attempt());
      summary.put("upto_token", e.uptoToken());
      summary.put("blocks", e.blockHashes().size());
    } else if (event instanceof Queued e) {
      at = e.at();
      summary.put("attempt", e.attempt());
    } else if (event instanceof AttemptFailed e) {
      at = e.at();
      summary.put("attempt", e.attempt());
      summary.put("cause", e.cause().kind().name());
      summary.put("xid", e.cause().xidCode());
      summary.put("xid_class", e.cause().xidClass());
      summary.put("detail", e.cause().detail());
    } else if (event instanceof Completed e) {
      at = e.at();
      summary.put("finish_reason", e.finishReason());
      summary.put("completion_tokens", e.usage().completionTokens());
    } else if (event instanceof Failed e) {
      at = e.at();
      summary.put("error", e.error());
    } else if (event instanceof Cancelled e) {
      at = e.at();
      summary.put("reason", e.reason());
    } else if (event instanceof Erased e) {
      at = e.at();
      summary.put("reason", e.reason());
    }
    o.put("at", String.valueOf(at));
    o.set("summary", summary);
    return o;
  }
}
