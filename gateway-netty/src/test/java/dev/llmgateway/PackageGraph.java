package dev.llmgateway;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which packages use which, read from compiled classes: every class a class file's constant pool names, as a class
 * reference or inside a field, method or generic signature. A compile-time constant that javac copied into its user
 * leaves no reference, so a use of another package's constants alone is not seen.
 */
final class PackageGraph {
    private static final int MAGIC = 0xCAFEBABE;
    /** A class name inside a descriptor or signature: {@code Ldev/llmgateway/x/Y;} or {@code ...Y<}. */
    private static final Pattern DESCRIBED_CLASS = Pattern.compile("L([\\w/$]+)[;<]");

    private final Map<String, Set<String>> uses;

    PackageGraph(Map<String, Set<String>> uses) {
        this.uses = new TreeMap<>();
        uses.forEach((from, to) -> this.uses.put(from, new TreeSet<>(to)));
    }

    /** The packages under {@code root} (a package name) of the classes below {@code classes}, and their uses. */
    static PackageGraph read(Path classes, String root) throws IOException {
        String prefix = root.replace('.', '/') + "/";
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".class")).toList()) {
                String from = packageOf(classes.relativize(file).toString().replace('\\', '/'));
                Set<String> to = uses.computeIfAbsent(from, p -> new TreeSet<>());
                for (String used : referencedClasses(Files.readAllBytes(file))) {
                    if (used.startsWith(prefix) && !packageOf(used).equals(from)) {
                        to.add(packageOf(used));
                    }
                }
            }
        }
        uses.keySet().removeIf(name -> !name.equals(root) && !name.startsWith(root + "."));
        return new PackageGraph(uses);
    }

    Set<String> packages() {
        return uses.keySet();
    }

    Set<String> uses(String pkg) {
        return uses.getOrDefault(pkg, Set.of());
    }

    /**
     * One cycle, as the packages along it with the first repeated at the end (a → b → a), or empty when the
     * packages depend one way only. Depth-first from each package in name order, so the answer is stable.
     */
    List<String> findCycle() {
        Map<String, Boolean> onPath = new HashMap<>(); // absent: not visited; true: on the path; false: done
        List<String> path = new ArrayList<>();
        for (String start : uses.keySet()) {
            List<String> cycle = visit(start, onPath, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        return List.of();
    }

    private List<String> visit(String pkg, Map<String, Boolean> onPath, List<String> path) {
        Boolean state = onPath.get(pkg);
        if (state != null) {
            if (!state) {
                return List.of();
            }
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(pkg), path.size()));
            cycle.add(pkg);
            return cycle;
        }
        onPath.put(pkg, true);
        path.add(pkg);
        for (String used : uses(pkg)) {
            List<String> cycle = visit(used, onPath, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        onPath.put(pkg, false);
        return List.of();
    }

    /** {@code a/b/C$D} or {@code a/b/C.class} → {@code a.b}. */
    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash).replace('/', '.');
    }

    /** Internal names of the classes a class file's constant pool names (JVMS §4.4). */
    private static Set<String> referencedClasses(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != MAGIC) {
            throw new IOException("not a class file");
        }
        in.skipBytes(4); // minor and major version
        int count = in.readUnsignedShort();
        String[] texts = new String[count];
        List<Integer> classNames = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> texts[i] = in.readUTF();
                case 7 -> classNames.add(in.readUnsignedShort());
                case 8, 16, 19, 20 -> in.skipBytes(2);
                case 15 -> in.skipBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                case 5, 6 -> {
                    in.skipBytes(8);
                    i++; // a long or double takes two entries
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        Set<String> classes = new TreeSet<>();
        for (int index : classNames) {
            classes.add(texts[index]);
        }
        for (String text : texts) {
            if (text != null) {
                Matcher described = DESCRIBED_CLASS.matcher(text);
                while (described.find()) {
                    classes.add(described.group(1));
                }
            }
        }
        return classes;
    }
}
