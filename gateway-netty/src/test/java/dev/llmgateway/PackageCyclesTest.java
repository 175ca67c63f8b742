package dev.llmgateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's packages depend one way (docs/ARCHITECTURE.md §3): no package reaches back to one that uses it.
 * Read from the compiled main classes, so what javac linked is what counts; the cycle finder is shown to find
 * cycles, in a small graph and in classes compiled here.
 */
class PackageCyclesTest {
    @Test
    void theGatewaysPackagesHaveNoCycle() throws IOException, URISyntaxException {
        Path mainClasses = Path.of(Gateway.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        PackageGraph graph = PackageGraph.read(mainClasses, "dev.llmgateway");
        assertTrue(graph.uses("dev.llmgateway.proxy").contains("dev.llmgateway.upstream"),
                "the classes were read: " + graph.packages());
        List<String> cycle = graph.findCycle();
        assertTrue(cycle.isEmpty(), () -> "a package cycle: " + String.join(" -> ", cycle));
    }

    @Test
    void aCycleIsFoundAndNamedInOrder() {
        PackageGraph graph = new PackageGraph(Map.of(
                "a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"), "d", Set.of(), "e", Set.of("a")));
        assertEquals(List.of("a", "b", "c", "a"), graph.findCycle());
    }

    @Test
    void sharedDependenciesAreNoCycle() {
        PackageGraph diamond = new PackageGraph(Map.of(
                "top", Set.of("left", "right"), "left", Set.of("bottom"), "right", Set.of("bottom"),
                "bottom", Set.of()));
        assertEquals(List.of(), diamond.findCycle());
    }

    @Test
    void twoPackagesUsingEachOtherInCompiledClassesAreACycle(@TempDir Path dir) throws IOException {
        Path sources = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path first = write(sources, "cyc/one/First.java", "package cyc.one; public class First { "
                + "java.util.List<cyc.two.Second> seconds; }");
        Path second = write(sources, "cyc/two/Second.java", "package cyc.two; public class Second { "
                + "Object first() { return new cyc.one.First(); } }");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), first.toString(), second.toString()));

        PackageGraph graph = PackageGraph.read(classes, "cyc");
        assertEquals(Set.of("cyc.two"), graph.uses("cyc.one"), "seen in a generic field signature");
        assertEquals(Set.of("cyc.one"), graph.uses("cyc.two"), "seen in a class reference");
        assertEquals(List.of("cyc.one", "cyc.two", "cyc.one"), graph.findCycle());
    }

    private static Path write(Path root, String relative, String source) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, source);
    }
}
