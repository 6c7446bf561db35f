package io.keyscan.testkit;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Starting another JVM on this one's classpath: for measurements that must not share this JVM's GC. */
public final class Jvm {

    private Jvm() {
    }

    /**
     * A command line that runs {@code main} in a new JVM with {@code jvmOptions}, on the classpath this class was
     * loaded from (Maven's {@code exec:java} runs programs in a class loader of its own, not on
     * {@code java.class.path}), passing {@code args}.
     */
    public static List<String> command(Class<?> main, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // the server this JVM was told to use, so that the other one starts (or expects) the same
        String server = System.getProperty(RedisBinary.PROPERTY_BINARY);
        if (server != null && !server.isBlank()) {
            command.add("-D" + RedisBinary.PROPERTY_BINARY + "=" + server);
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath());
        command.add(main.getName());
        command.addAll(args);
        return command;
    }

    /** This JVM's classpath, class loader chain included. */
    static String classpath() {
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader loader = Jvm.class.getClassLoader(); loader != null; loader = loader.getParent()) {
            if (loader instanceof URLClassLoader) {
                for (URL url : ((URLClassLoader) loader).getURLs()) {
                    try {
                        entries.add(Paths.get(url.toURI()).toString());
                    } catch (URISyntaxException | IllegalArgumentException e) {
                        // not a file: skip
                    }
                }
            }
        }
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
