package dev.sabir.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginDescriptor;

class HostFirstClassLoaderTest {

    @TempDir Path host;
    @TempDir Path plugin;

    @Test
    void extensionIndexComesFromThePluginOnly() throws Exception {
        Files.createDirectories(host.resolve("META-INF"));
        Files.writeString(host.resolve("META-INF/extensions.idx"), "com.example.BuiltIn\n");
        Files.writeString(host.resolve("shared.txt"), "from host");
        try (URLClassLoader parent = new URLClassLoader(new URL[] {host.toUri().toURL()}, null);
                HostPluginManager.HostFirstClassLoader loader =
                        new HostPluginManager.HostFirstClassLoader(
                                null, new DefaultPluginDescriptor(), parent)) {
            loader.addFile(plugin.toFile());
            assertThat(parent.getResource("META-INF/extensions.idx")).isNotNull();
            assertThat(loader.getResource("META-INF/extensions.idx")).isNull();
            assertThat(Collections.list(loader.getResources("META-INF/extensions.idx"))).isEmpty();
            assertThat(loader.getResource("shared.txt"))
                    .as("other resources still fall back")
                    .isNotNull();

            Files.createDirectories(plugin.resolve("META-INF"));
            Files.writeString(plugin.resolve("META-INF/extensions.idx"), "fx.Own\n");
            assertThat(Path.of(loader.getResource("META-INF/extensions.idx").toURI()))
                    .isEqualTo(plugin.resolve("META-INF/extensions.idx"));
        }
    }

    @Test
    void sharedPackagesAreRecognised() {
        assertThat(HostPluginManager.isShared("dev.sabir.api.Connector")).isTrue();
        assertThat(HostPluginManager.isShared("io.netty.channel.Channel")).isTrue();
        assertThat(HostPluginManager.isShared("com.fasterxml.jackson.databind.ObjectMapper"))
                .isTrue();
        assertThat(HostPluginManager.isShared("org.slf4j.Logger")).isTrue();
        assertThat(HostPluginManager.isShared("org.pf4j.Plugin")).isTrue();
        assertThat(HostPluginManager.isShared("dev.sabir.torchat.TorChatConnector")).isFalse();
        assertThat(HostPluginManager.isShared("io.nettyx.Foo")).isFalse();
    }
}
