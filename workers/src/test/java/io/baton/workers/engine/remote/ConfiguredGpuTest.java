package io.baton.workers.engine.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.worker.Pool;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfiguredGpuTest {

  private static List<ConfiguredGpu> read(String hocon) {
    return ConfiguredGpu.fromConfig(ConfigFactory.parseString("gpus = " + hocon).getConfigList("gpus"));
  }

  @Test
  void readsAHostsGpusWithTheirEngines() {
    List<ConfiguredGpu> gpus = read("[{ host = h1, index = 0, model = baton-small, uuid = \"GPU-1\","
        + " pci-bus-id = \"0000:3b:00\", engine { kind = vllm, url = \"http://10.0.0.5:8000\", served-model = m } },"
        + " { host = h1, index = 1, model = baton-small, pool = spare, engine { kind = llamacpp, url = \"http://h:1\" } }]");
    assertEquals(new ConfiguredGpu("h1", 0, "baton-small", EngineKind.VLLM, "http://10.0.0.5:8000", "m", "GPU-1",
        "0000:3b:00", Pool.ACTIVE, 4096), gpus.get(0));
    assertEquals(Pool.SPARE, gpus.get(1).pool());
    assertEquals("baton-small", gpus.get(1).servedModel(), "served-model defaults to the model");
  }

  @Test
  void aMistakeNamesTheEntryAndWhatEachGpuNeeds() {
    IllegalArgumentException noUrl = assertThrows(IllegalArgumentException.class,
        () -> read("[{ host = h1, index = 0, model = baton-small, engine { kind = vllm } }]"));
    assertTrue(noUrl.getMessage().startsWith("baton.workers.gpus[0]: ") && noUrl.getMessage().contains("url"),
        noUrl.getMessage());
    IllegalArgumentException badKind = assertThrows(IllegalArgumentException.class,
        () -> read("[{ host = h1, index = 0, model = baton-small, engine { kind = tgi, url = \"http://h:1\" } }]"));
    assertTrue(badKind.getMessage().contains("engine kind 'tgi' is not one of"), badKind.getMessage());
  }
}
