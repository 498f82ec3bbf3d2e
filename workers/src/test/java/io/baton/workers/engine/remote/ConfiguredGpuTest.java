package io.baton.workers.engine.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.worker.Pool;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.EngineSettings;
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
        "0000:3b:00", Pool.ACTIVE, 4096, null), gpus.get(0));
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

  @Test
  void aGpusOwnResetCommandReplacesItsEngineKindsWhichReplacesTheNodes() {
    EngineSettings.Remote remote = WorkersSettings.fromConfig(ConfigFactory.parseString(
        "baton.workers.engine.remote { reset-command = \"nvidia-smi -r -i {index}\","
            + " reset-commands.vllm = \"systemctl restart vllm@{index}\" }").withFallback(ConfigFactory.load()))
        .engine().remote();
    List<ConfiguredGpu> gpus = read("[{ host = h1, index = 0, model = baton-small, engine { kind = vllm, url = \"http://h:1\","
        + " reset-command = \"/opt/reset-gpu0.sh\" } },"
        + " { host = h1, index = 1, model = baton-small, engine { kind = vllm, url = \"http://h:2\" } },"
        + " { host = h1, index = 2, model = baton-small, engine { kind = sglang, url = \"http://h:3\" } }]");
    List<String> resets = gpus.stream().map(g -> RemoteEngineSettings.of(remote, g.kind(), g.url(), g.servedModel(),
        g.uuid(), g.pciBusId(), g.index(), g.resetCommand()).resetCommand()).toList();
    assertEquals(List.of("/opt/reset-gpu0.sh", "systemctl restart vllm@{index}", "nvidia-smi -r -i {index}"), resets);
  }

  @Test
  void aResetCommandForAnUnknownEngineKindIsRefusedAtStart() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorkersSettings.fromConfig(
        ConfigFactory.parseString("baton.workers.engine.remote.reset-commands.tgi = \"x\"")
            .withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().contains("reset-commands") && e.getMessage().contains("tgi"), e.getMessage());
  }
}
