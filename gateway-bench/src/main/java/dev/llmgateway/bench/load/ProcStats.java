package dev.llmgateway.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time and peak memory of a process and its descendants, read from /proc (so nginx's master and worker count
 * together, like the gateway's threads do).
 */
final class ProcStats {
    /** USER_HZ: the unit of utime and stime. 100 on every Linux build that matters; asked for in case it is not. */
    private static final double TICKS_PER_SECOND = clockTicks();

    private ProcStats() {
    }

    /** User + system CPU seconds used so far by the tree rooted at {@code root}. */
    static double cpuSeconds(ProcessHandle root) {
        long ticks = 0;
        for (ProcessHandle process : tree(root)) {
            String stat = read(Path.of("/proc", Long.toString(process.pid()), "stat"));
            if (stat.isEmpty()) {
                continue;
            }
            // The command name may hold spaces and parentheses: fields are counted from the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** Sum of each process's peak resident set (VmHWM), in KiB. */
    static long peakRssKib(ProcessHandle root) {
        return statusKib(root, "VmHWM:");
    }

    /** Sum of each process's resident set now (VmRSS), in KiB. */
    static long rssKib(ProcessHandle root) {
        return statusKib(root, "VmRSS:");
    }

    private static long statusKib(ProcessHandle root, String field) {
        long kib = 0;
        for (ProcessHandle process : tree(root)) {
            for (String line : read(Path.of("/proc", Long.toString(process.pid()), "status")).split("\n")) {
                if (line.startsWith(field)) {
                    kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return kib;
    }

    /** This process's hard limit of open files, which the processes it starts may raise their own to. */
    static long openFileLimit() {
        for (String line : read(Path.of("/proc/self/limits")).split("\n")) {
            if (line.startsWith("Max open files")) {
                String[] fields = line.trim().split("\\s+");
                String hard = fields[fields.length - 2];
                return hard.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(hard);
            }
        }
        return 1024;
    }

    /**
     * How busy the machine's CPUs are, from 0 to 1, over {@code millis} (from /proc/stat; NaN where there is none).
     * Read while the harness is idle, it tells how much other processes would compete with the run.
     */
    static double busyShare(long millis) throws InterruptedException {
        long[] before = cpuTicks();
        Thread.sleep(millis);
        long[] after = cpuTicks();
        long total = after[0] - before[0];
        return total <= 0 ? Double.NaN : 1 - (double) (after[1] - before[1]) / total;
    }

    /** All ticks and the idle ones (idle + iowait) of the "cpu" line, summed over every CPU. */
    private static long[] cpuTicks() {
        String all = read(Path.of("/proc/stat")).lines().filter(line -> line.startsWith("cpu ")).findFirst()
                .orElse("cpu 0 0 0 0");
        String[] fields = all.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < fields.length; i++) {
            total += Long.parseLong(fields[i]);
        }
        long idle = Long.parseLong(fields[4]) + (fields.length > 5 ? Long.parseLong(fields[5]) : 0);
        return new long[] {total, idle};
    }

    /** The CPUs this process may run on, as the kernel prints them (e.g. "0" or "0-1"). */
    static String allowedCpus() {
        for (String line : read(Path.of("/proc/self/status")).split("\n")) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "?";
    }

    private static List<ProcessHandle> tree(ProcessHandle root) {
        return Stream.concat(Stream.of(root), root.descendants()).toList();
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            // The process ended between listing and reading: it has nothing more to report.
            return "";
        }
    }

    private static double clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            return getconf.waitFor() == 0 ? Double.parseDouble(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
