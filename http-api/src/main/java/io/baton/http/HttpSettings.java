package io.baton.http;

import com.typesafe.config.Config;

/** The HTTP module's settings, read from {@code baton.http}. */
public record HttpSettings(String host, int port) {
  public static HttpSettings fromConfig(Config root) {
    Config c = root.getConfig("baton.http");
    return new HttpSettings(c.getString("host"), c.getInt("port"));
  }
}
