package dev.sabir.xmpp.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The file keys and the host matching that decides which links are fetched. */
class FileSettingsTest {

    private static FileSettings of(Map<String, Object> keys) throws InvalidConfigException {
        return FileSettings.from(new AccountConfig("comp", "xmpp", true, keys), "Example.org");
    }

    @Test
    void defaultsAndUploadSwitch() throws Exception {
        FileSettings d = of(Map.of());
        assertThat(d.serverDomain()).isEqualTo("example.org");
        assertThat(d.uploadService()).isNull();
        assertThat(d.uploadsOff()).isFalse();
        assertThat(d.maxDownloadBytes()).isEqualTo(100L * 1024 * 1024);
        assertThat(d.maxConcurrentDownloads()).isEqualTo(4);
        assertThat(of(Map.of("upload_service", "none")).uploadsOff()).isTrue();
        assertThat(of(Map.of("upload_service", "up.example.org")).uploadService())
                .isEqualTo("up.example.org");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> of(Map.of("download_hosts", List.of("http://x/y"))))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("download_hosts"));
        assertThatThrownBy(() -> of(Map.of("max_download_bytes", 0)))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("max_download_bytes"));
    }

    @Test
    void hostMatchesAnyPortHostPortOnlyItsOwn() {
        List<String> entries = List.of("upload.example.org", "127.0.0.1:5280");
        assertThat(FileSettings.matches(entries, URI.create("https://upload.example.org/a")))
                .isTrue();
        assertThat(FileSettings.matches(entries, URI.create("http://UPLOAD.example.org:81/a")))
                .isTrue();
        assertThat(FileSettings.matches(entries, URI.create("http://127.0.0.1:5280/a"))).isTrue();
        assertThat(FileSettings.matches(entries, URI.create("http://127.0.0.1:5281/a"))).isFalse();
        assertThat(FileSettings.matches(entries, URI.create("http://127.0.0.1/a"))).isFalse();
        assertThat(FileSettings.matches(entries, URI.create("http://evil.example.org/a")))
                .isFalse();
        assertThat(
                        FileSettings.matches(
                                entries, URI.create("http://upload.example.org.evil.net/a")))
                .isFalse();
    }

    @Test
    void namesComeFromTheLastPathSegment() {
        assertThat(HttpTransfers.nameOf(URI.create("http://h/s/abc/My%20Photo.jpg")))
                .isEqualTo("My Photo.jpg");
        assertThat(HttpTransfers.nameOf(URI.create("http://h/"))).isEqualTo("file");
    }
}
