package io.keyscan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.LettuceVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The starter is tested with the Lettuce a Spring Boot application gets: profile {@code boot-managed} selects the
 * parent's {@code boot-managed.lettuce.version}, which must be what Spring Boot's BOM manages (read from the BOM this
 * build imports), and the Lettuce on the test class path must be the one the build selected.
 */
class BootManagedVersionsTest {

    @Test
    void theBootManagedProfileSelectsTheLettuceSpringBootManages() throws Exception {
        Path bom = Path.of(System.getProperty("keyscan.spring-boot-bom"));
        assertThat(bom).isRegularFile();
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Files.newInputStream(bom));
        Element properties = (Element) pom.getDocumentElement().getElementsByTagName("properties").item(0);
        String bootManaged = properties.getElementsByTagName("lettuce.version").item(0).getTextContent().trim();

        assertThat(System.getProperty("keyscan.boot-managed.lettuce.version"))
                .as("boot-managed.lettuce.version in the parent POM: Spring Boot's BOM (%s) manages Lettuce %s", bom,
                        bootManaged)
                .isEqualTo(bootManaged);
    }

    @Test
    void theLettuceOnTheClassPathIsTheOneThisBuildSelected() {
        // "7.5.2.RELEASE/commit" from the jar's manifest
        String onClassPath = LettuceVersion.getVersion().split("/", 2)[0];

        assertThat(onClassPath).isEqualTo(System.getProperty("keyscan.lettuce.version"));
    }
}
