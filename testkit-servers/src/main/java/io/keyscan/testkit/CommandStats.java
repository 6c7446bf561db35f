package io.keyscan.testkit;

/**
 * One command's line of {@code INFO commandstats}: how often it ran and how much server time it took.
 *
 * @param calls completed calls
 * @param usec total server time in microseconds
 */
public record CommandStats(long calls, long usec) {

    /**
     * Parses {@code cmdstat_<command>:calls=12,usec=345,...} out of an {@code INFO commandstats} reply; zeros when the
     * command has not run. One reply read once serves several commands.
     */
    public static CommandStats parse(String info, String command) {
        String prefix = "cmdstat_" + command.toLowerCase(java.util.Locale.ROOT) + ":";
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(prefix)) {
                long calls = 0;
                long usec = 0;
                for (String field : line.substring(prefix.length()).split(",")) {
                    String[] kv = field.split("=", 2);
                    if (kv[0].equals("calls")) {
                        calls = Long.parseLong(kv[1].trim());
                    } else if (kv[0].equals("usec")) {
                        usec = Long.parseLong(kv[1].trim());
                    }
                }
                return new CommandStats(calls, usec);
            }
        }
        return new CommandStats(0, 0);
    }
}
