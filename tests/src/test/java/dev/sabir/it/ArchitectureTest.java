package dev.sabir.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.sabir.api.Connector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rules across modules, checked on the compiled classes of the API and of every plugin (the plugins
 * are not on this module's class path, so their {@code target/classes} folders are imported; this
 * module builds after them):
 *
 * <ul>
 *   <li>the API depends only on the JDK, PF4J, Netty and SLF4J;
 *   <li>plugins never reach into the host ({@code dev.sabir.server});
 *   <li>plugins do not use each other, except jabberft which extends the XMPP bridge;
 *   <li>codec packages hold wire formats only: they depend on the JDK ({@code java..}, {@code
 *       javax..}), Netty and their own codec package, nothing else (JSON payloads are mapped
 *       outside the codec, e.g. {@code dev.sabir.ipcfile.json}).
 * </ul>
 */
class ArchitectureTest {
    private static final String[] PLUGIN_PACKAGES = {
        "dev.sabir.torchat",
        "dev.sabir.irc",
        "dev.sabir.xmpp",
        "dev.sabir.soulseek",
        "dev.sabir.simplex",
        "dev.sabir.ipcfile",
        "dev.sabir.jabberft",
        "dev.sabir.loopback"
    };

    private static JavaClasses api;
    private static JavaClasses plugins;
    private static final List<Path> pluginFolders = new ArrayList<>();

    @BeforeAll
    static void importClasses() throws Exception {
        // dependencies outside the imported classes are judged by name; no class path scan
        ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
        Path root = Path.of(System.getProperty("sabir.root", "..")).toAbsolutePath().normalize();
        collect(root.resolve("plugins"), "*");
        collect(root, "bridge-*");
        plugins =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPaths(pluginFolders);
        api = importFrom(location(Connector.class));
    }

    private static void collect(Path parent, String glob) throws IOException {
        if (!Files.isDirectory(parent)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, glob)) {
            for (Path d : dirs) {
                Path classes = d.resolve("target/classes");
                if (Files.isDirectory(classes)) {
                    pluginFolders.add(classes);
                }
            }
        }
    }

    private static Path location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static JavaClasses importFrom(Path where) {
        ClassFileImporter importer = new ClassFileImporter();
        if (Files.isRegularFile(where)) {
            try (JarFile jar = new JarFile(where.toFile())) {
                return importer.importJar(jar);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return importer.importPath(where);
    }

    @Test
    void apiDependsOnlyOnTheSharedLibraries() {
        assertThat(api).isNotEmpty();
        classes()
                .that()
                .resideInAPackage("dev.sabir.api..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(
                        "java..", "org.pf4j..", "io.netty..", "org.slf4j..", "dev.sabir.api..")
                .check(api);
    }

    @Test
    void pluginsNeverDependOnTheHost() {
        String[] patterns = new String[PLUGIN_PACKAGES.length];
        for (int i = 0; i < patterns.length; i++) {
            patterns[i] = PLUGIN_PACKAGES[i] + "..";
        }
        noClasses()
                .that()
                .resideInAnyPackage(patterns)
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.sabir.server..")
                .allowEmptyShould(true)
                .check(plugins);
    }

    @Test
    void pluginsDoNotUseEachOther() {
        classes()
                .that()
                .resideInAnyPackage(pluginPatterns())
                .should(onlyUseOtherPluginsWhereAllowed())
                .allowEmptyShould(true)
                .check(plugins);
    }

    @Test
    void codecsHoldWireFormatsOnly() {
        classes()
                .that()
                .resideInAPackage("..codec..")
                .should(dependOnlyOnNettyJdkAndOwnCodec())
                .allowEmptyShould(true)
                .check(plugins);
    }

    private static String[] pluginPatterns() {
        String[] patterns = new String[PLUGIN_PACKAGES.length];
        for (int i = 0; i < patterns.length; i++) {
            patterns[i] = PLUGIN_PACKAGES[i] + "..";
        }
        return patterns;
    }

    private static String pluginOf(String packageName) {
        for (String p : PLUGIN_PACKAGES) {
            if (packageName.equals(p) || packageName.startsWith(p + ".")) {
                return p;
            }
        }
        return null;
    }

    private static ArchCondition<JavaClass> onlyUseOtherPluginsWhereAllowed() {
        return new ArchCondition<>("only use their own plugin's classes (jabberft may use xmpp)") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                String own = pluginOf(item.getPackageName());
                for (Dependency d : item.getDirectDependenciesFromSelf()) {
                    String other = pluginOf(base(d.getTargetClass()).getPackageName());
                    if (other == null || other.equals(own)) {
                        continue;
                    }
                    if (own.equals("dev.sabir.jabberft") && other.equals("dev.sabir.xmpp")) {
                        continue;
                    }
                    events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                }
            }
        };
    }

    private static ArchCondition<JavaClass> dependOnlyOnNettyJdkAndOwnCodec() {
        return new ArchCondition<>(
                "depend only on java.., javax.., io.netty.. and their own codec package") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                String pkg = item.getPackageName();
                int at = pkg.indexOf(".codec");
                String codec = at < 0 ? pkg : pkg.substring(0, at + ".codec".length());
                for (Dependency d : item.getDirectDependenciesFromSelf()) {
                    JavaClass target = base(d.getTargetClass());
                    String p = target.getPackageName();
                    boolean ok =
                            target.isPrimitive()
                                    || p.isEmpty()
                                    || p.equals("java")
                                    || p.startsWith("java.")
                                    || p.startsWith("javax.") // JDK modules: java.xml, crypto
                                    || p.startsWith("io.netty.")
                                    || p.equals(codec)
                                    || p.startsWith(codec + ".");
                    if (!ok) {
                        events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                    }
                }
            }
        };
    }

    private static JavaClass base(JavaClass c) {
        JavaClass t = c;
        while (t.isArray()) {
            t = t.getComponentType();
        }
        return t;
    }
}
