package io.baton.http.files;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.Printable;
import io.baton.http.Json;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ApiException;
import io.baton.persistence.files.FileMeta;
import io.baton.persistence.files.FileStore;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.Multipart;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * OpenAI's Files API for batch input and output: multipart upload, list, get, content, delete. The
 * upload streams the file part into Cassandra chunk by chunk and the content streams back out, so a
 * 100 MB file never sits whole in memory.
 */
public final class FileRoutes extends AllDirectives {
  static final Set<String> PURPOSES = Set.of("batch", "batch_output", "user_data", "assistants", "fine-tune", "evals");

  private final FileStore store;
  private final Materializer materializer;
  /** Bytes of files one tenant may keep. */
  private final long quota;

  public FileRoutes(ActorSystem<?> system, FileStore store, long quota) {
    this.store = store;
    this.quota = quota;
    this.materializer = Materializer.matFromSystem(system);
  }

  /** The routes under /v1 for the caller's {@code tenant}: only its own files exist for it. */
  public Route routes(String tenant) {
    return pathPrefix("files", () -> concat(
        pathEnd(() -> concat(
            post(() -> entity(Unmarshaller.entityToMultipartFormData(),
                form -> onSuccess(upload(form, tenant), meta -> complete(Json.ok(object(meta)))))),
            get(() -> onSuccess(store.list(tenant), files -> complete(Json.ok(list(files))))))),
        pathPrefix(id -> concat(
            pathEnd(() -> concat(
                get(() -> onSuccess(known(id, tenant), meta -> complete(Json.ok(object(meta))))),
                delete(() -> onSuccess(known(id, tenant).thenCompose(meta -> store.delete(meta, materializer)),
                    done -> complete(Json.ok(deleted(id))))))),
            path("content", () -> get(() -> onSuccess(known(id, tenant), meta -> complete(
                HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, meta.bytes(), store.content(meta))))))))));
  }

  /** Parts in any order: the file's bytes go to Cassandra as they arrive; the purpose may come before or after. */
  /**
   * Within the tenant's storage quota (429 when it is used up, 413 when this upload would pass it);
   * an upload refused or cut off for any reason leaves no chunks behind.
   */
  private CompletionStage<FileMeta> upload(Multipart.FormData form, String tenant) {
    return store.list(tenant).thenCompose(files -> {
      long remaining = quota - files.stream().mapToLong(FileMeta::bytes).sum();
      if (remaining <= 0) {
        form.getParts().runWith(Sink.cancelled(), materializer);
        throw new ApiException(ApiError.overloaded("this API key stores " + quota + " bytes of files already (the"
            + " quota, baton.http.limits.storage-per-key); delete some first"));
      }
      String id = "file-" + UUID.randomUUID().toString().replace("-", "");
      FileStore.Written[] written = {null};
      return upload(form, tenant, id, remaining, written).handle((meta, error) -> {
        if (error == null) {
          return CompletableFuture.completedFuture(meta);
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        RuntimeException refusal = cause instanceof FileStore.OverQuota over
            ? new ApiException(ApiError.tooLarge(over.getMessage() + " (baton.http.limits.storage-per-key)"))
            : cause instanceof RuntimeException r ? r : new CompletionException(cause);
        CompletionStage<?> cleaned = written[0] == null ? CompletableFuture.completedFuture(null)
            : store.deleteChunks(id, written[0].chunks(), materializer);
        return cleaned.<FileMeta>thenCompose(d -> CompletableFuture.failedFuture(refusal));
      }).thenCompose(next -> next);
    });
  }

  private CompletionStage<FileMeta> upload(Multipart.FormData form, String tenant, String id, long maxBytes,
      FileStore.Written[] written) {
    String[] purpose = {null};
    String[] filename = {null};
    return form.getParts()
        .mapAsync(1, part -> {
          if ("purpose".equals(part.getName())) {
            return part.toStrict(10_000, materializer).thenApply(p -> {
              purpose[0] = p.getEntity().getData().utf8String().trim();
              return p;
            });
          }
          if ("file".equals(part.getName())) {
            if (written[0] != null) {
              throw new ApiException(ApiError.invalid("file", "send one file per upload"));
            }
            filename[0] = part.getFilename().orElse("upload");
            return store.writeChunks(id, part.getEntity().getDataBytes(), maxBytes, materializer).thenApply(w -> {
              written[0] = w;
              return part;
            });
          }
          // An unknown field is drained, not buffered.
          return part.getEntity().discardBytes(materializer).completionStage().thenApply(done -> part);
        })
        .runWith(Sink.ignore(), materializer)
        .thenCompose(done -> {
          if (written[0] == null) {
            throw new ApiException(ApiError.invalid("file", "the upload has no 'file' part"));
          }
          if (purpose[0] == null || !PURPOSES.contains(purpose[0])) {
            throw new ApiException(ApiError.invalid("purpose", "purpose must be one of " + PURPOSES
                + ", was " + (purpose[0] == null ? "missing" : "'" + purpose[0] + "'")));
          }
          return store.publish(id, purpose[0], filename[0], tenant, written[0]);
        });
  }

  /** The tenant's file; another tenant's is a 404 exactly like a missing one, so ids cannot be probed. */
  public static CompletionStage<FileMeta> known(FileStore store, String id, String tenant) {
    return store.get(id).thenApply(meta -> meta.filter(m -> m.owner().equals(tenant)).orElseThrow(() ->
        new ApiException(ApiError.notFound("no file '" + Printable.of(id) + "'", "file_id", "file_not_found"))));
  }

  private CompletionStage<FileMeta> known(String id, String tenant) {
    return known(store, id, tenant);
  }

  public static ObjectNode object(FileMeta m) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", m.id());
    o.put("object", "file");
    o.put("bytes", m.bytes());
    o.put("created_at", m.createdAt().getEpochSecond());
    o.put("filename", m.filename());
    o.put("purpose", m.purpose());
    o.put("status", "processed");
    o.putNull("status_details");
    return o;
  }

  private static ObjectNode list(java.util.List<FileMeta> files) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("object", "list");
    var data = o.putArray("data");
    files.forEach(f -> data.add(object(f)));
    o.put("has_more", false);
    return o;
  }

  private static ObjectNode deleted(String id) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", id);
    o.put("object", "file");
    o.put("deleted", true);
    return o;
  }
}
