package io.baton.chaos.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.Path;

/** The one mapper for chaos-report.json: instants as ISO-8601 strings, indented for people. */
public final class ReportJson {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private ReportJson() {}

  /** A copy, so callers cannot reconfigure the shared instance. */
  public static ObjectMapper mapper() {
    return MAPPER.copy();
  }

  public static void write(Path file, ReportFile report) throws IOException {
    MAPPER.writeValue(file.toFile(), report);
  }

  public static ReportFile read(Path file) throws IOException {
    return MAPPER.readValue(file.toFile(), ReportFile.class);
  }
}
