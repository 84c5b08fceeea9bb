package dev.sabir.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.sabir.api.Connector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Layering inside the host (the plugin-side rules live in the {@code tests} module, which builds
 * after the plugins): the API stays small, the config and spool know nothing of the rest, only the
 * CLI uses picocli.
 */
class ArchitectureTest {
    private static JavaClasses classes;
    private static JavaClasses api;

    @BeforeAll
    static void importClasses() {
        // dependencies outside the imported classes are judged by name; no class path scan
        ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
        classes = importFrom(location(SabirServer.class));
        api = importFrom(location(Connector.class));
    }

    private static JavaClasses importFrom(Path where) {
        ClassFileImporter importer =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
        if (Files.isRegularFile(where)) {
            try (JarFile jar = new JarFile(where.toFile())) {
                return importer.importJar(jar);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return importer.importPath(where);
    }

    /** The folder or JAR a class was loaded from (importing only that keeps the test fast). */
    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void apiDependsOnlyOnTheSharedLibraries() {
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
    void configKnowsNothingOfTheRestOfTheServer() {
        noClasses()
                .that()
                .resideInAPackage("dev.sabir.server.config..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.sabir.server.router..",
                        "dev.sabir.server.store..",
                        "dev.sabir.server.plugin..",
                        "dev.sabir.server.http..",
                        "dev.sabir.server.spool..",
                        "dev.sabir.server.cli..",
                        "io.netty..")
                .check(classes);
    }

    @Test
    void spoolUsesOnlyTheConfig() {
        noClasses()
                .that()
                .resideInAPackage("dev.sabir.server.spool..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.sabir.server.router..",
                        "dev.sabir.server.store..",
                        "dev.sabir.server.plugin..",
                        "dev.sabir.server.http..",
                        "dev.sabir.server.cli..")
                .check(classes);
    }

    @Test
    void onlyTheCommandLineUsesPicocli() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.sabir.server.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("picocli..")
                .check(classes);
    }
}
