package io.keyscan.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code chart.png}: for each query class, the median wall time and the probe's longest PING delay of every path
 * against the dataset size, on log-log axes, with the server's own time (KEYS and SCAN_AUTO) and the probe's p99.9
 * as dotted lines; when the run measured one dataset size only (the cluster run's default), one bar per path on a
 * log axis instead, with the server's own time and the probe's p99.9 as an orange bar inside each. Drawn with
 * XChart into an image, headless.
 */
final class ChartWriter {

    static final int PANEL_WIDTH = 720;
    static final int PANEL_HEIGHT = 330;
    static final int TITLE_HEIGHT = 56;

    /** Values are drawn no lower than this on the log axes (a probe may see no PING in a sub-millisecond run). */
    static final double FLOOR_MS = 0.01;

    private ChartWriter() {
    }

    static final String TITLE = "KEYS vs SCAN over rails_performance-shaped keys";
    static final String CLUSTER_TITLE = "KEYS vs SCAN on a Redis Cluster, rails_performance-shaped keys";

    static void write(Path file, List<ResultRow> rows, String title, String subtitle) throws IOException {
        Map<String, List<ResultRow>> byClass = new LinkedHashMap<>();
        for (ResultRow row : rows) {
            byClass.computeIfAbsent(row.queryClass(), k -> new ArrayList<>()).add(row);
        }
        boolean oneSize = rows.stream().map(ResultRow::datasetKeys).distinct().count() == 1;
        List<BufferedImage[]> panels = new ArrayList<>();
        for (Map.Entry<String, List<ResultRow>> entry : byClass.entrySet()) {
            String probeTitle = entry.getKey() + ": the probe client's longest PING";
            if (oneSize) {
                String keys = String.format(Locale.ROOT, " (%,d keys)", entry.getValue().get(0).datasetKeys());
                panels.add(new BufferedImage[] {
                    bars(entry.getKey() + ": median wall time" + keys + "; orange: server's own", entry.getValue(),
                            ResultRow::medianMillis, ResultRow::medianServerMillis, "server"),
                    bars(probeTitle + keys + "; orange: p99.9", entry.getValue(), ResultRow::probeMaxMillis,
                            ResultRow::probeP999Millis, "p99.9")});
            } else {
                panels.add(new BufferedImage[] {
                    panel(entry.getKey() + ": median wall time; dotted: server's own", "ms", entry.getValue(),
                            ResultRow::medianMillis, ResultRow::medianServerMillis, "server"),
                    panel(probeTitle + "; dotted: p99.9", "ms", entry.getValue(), ResultRow::probeMaxMillis,
                            ResultRow::probeP999Millis, "p99.9")});
            }
        }
        BufferedImage image = new BufferedImage(2 * PANEL_WIDTH, TITLE_HEIGHT + panels.size() * PANEL_HEIGHT,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
            g.drawString(title + (oneSize ? " (log scale)" : " (log-log)"), 16, 26);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.drawString(subtitle, 16, 46);
            for (int i = 0; i < panels.size(); i++) {
                g.drawImage(panels.get(i)[0], 0, TITLE_HEIGHT + i * PANEL_HEIGHT, null);
                g.drawImage(panels.get(i)[1], PANEL_WIDTH, TITLE_HEIGHT + i * PANEL_HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    /**
     * One horizontal bar per path (in run order) on a logarithmic axis, each labelled with its value, and inside it
     * a thinner orange bar of {@code inner} (labelled {@code innerName}): the chart of a run that measured one dataset
     * size, where lines against the size would be single points.
     */
    private static BufferedImage bars(String title, List<ResultRow> rows, ToDoubleFunction<ResultRow> value,
            ToDoubleFunction<ResultRow> inner, String innerName) {
        BufferedImage image = new BufferedImage(PANEL_WIDTH, PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, PANEL_WIDTH, PANEL_HEIGHT);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            FontMetrics titleMetrics = g.getFontMetrics();
            g.drawString(title, (PANEL_WIDTH - titleMetrics.stringWidth(title)) / 2, 22);

            int left = 150;
            int right = PANEL_WIDTH - 140; // room for "1,234 (server 1,111)"
            int top = 38;
            int bottom = PANEL_HEIGHT - 34;
            double min = Double.MAX_VALUE;
            double max = FLOOR_MS;
            for (ResultRow row : rows) {
                double v = Math.max(FLOOR_MS, value.applyAsDouble(row));
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            double lo = Math.floor(Math.log10(min) - 0.3); // a little room left of the shortest bar
            double hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
            ToDoubleFunction<Double> x = v -> left + (Math.log10(v) - lo) / (hi - lo) * (right - left);

            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            FontMetrics metrics = g.getFontMetrics();
            DecimalFormat decade = new DecimalFormat("#,##0.##", DecimalFormatSymbols.getInstance(Locale.ROOT));
            for (int e = (int) lo; e <= (int) hi; e++) {
                int gx = (int) Math.round(x.applyAsDouble(Math.pow(10, e)));
                g.setColor(new Color(225, 225, 225));
                g.drawLine(gx, top, gx, bottom);
                g.setColor(Color.DARK_GRAY);
                String tick = decade.format(Math.pow(10, e)) + (e == (int) hi ? " ms" : "");
                g.drawString(tick, gx - metrics.stringWidth(tick) / 2, bottom + 16);
            }
            g.setColor(Color.GRAY);
            g.drawLine(left, top, left, bottom);

            double rowHeight = (bottom - top) / (double) rows.size();
            int barHeight = (int) Math.max(4, Math.round(rowHeight * 0.62));
            int scanIndex = 0;
            for (int i = 0; i < rows.size(); i++) {
                ResultRow row = rows.get(i);
                double actual = value.applyAsDouble(row);
                int y = (int) Math.round(top + i * rowHeight + (rowHeight - barHeight) / 2);
                int end = (int) Math.round(x.applyAsDouble(Math.max(FLOOR_MS, actual)));
                boolean scan = row.path().equals("SCAN");
                g.setColor(color(row.label(), scanIndex));
                if (scan) {
                    scanIndex++;
                }
                g.fillRect(left + 1, y, Math.max(2, end - left), barHeight);
                double innerValue = inner.applyAsDouble(row);
                int innerEnd = (int) Math.round(x.applyAsDouble(Math.max(FLOOR_MS, innerValue)));
                int innerHeight = Math.max(2, barHeight / 3);
                g.setColor(INNER);
                g.fillRect(left + 1, y + (barHeight - innerHeight) / 2, Math.max(2, innerEnd - left), innerHeight);
                int baseline = y + (barHeight + metrics.getAscent() - metrics.getDescent()) / 2;
                g.setColor(Color.BLACK);
                g.drawString(row.label(), left - 8 - metrics.stringWidth(row.label()), baseline);
                g.drawString(Stats.millis(actual) + " (" + innerName + " "
                        + (innerValue < 1 ? Stats.fixed(innerValue, 3) : Stats.millis(innerValue)) + ")",
                        Math.max(left + 2, Math.max(end, innerEnd)) + 5, baseline);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The inner bars (server time, probe p99.9): visible on every path's colour. */
    private static final Color INNER = new Color(255, 165, 0);

    /** KEYS red, SCAN_AUTO black, Lettuce purple, the fixed-COUNT SCANs light to dark blue as COUNT grows. */
    private static Color color(String label, int scanIndex) {
        if (label.equals("KEYS")) {
            return new Color(200, 30, 30);
        } else if (label.equals("SCAN_AUTO")) {
            return Color.BLACK;
        } else if (label.equals("LETTUCE_SCANSTREAM")) {
            return new Color(140, 60, 170);
        }
        Color[] blues = {new Color(120, 180, 230), new Color(60, 140, 210), new Color(20, 100, 180),
            new Color(10, 60, 120), new Color(5, 30, 70)};
        return blues[Math.min(scanIndex, blues.length - 1)];
    }

    /**
     * Every path's {@code value} against the dataset size, and {@code secondary} of KEYS and SCAN_AUTO as dotted
     * lines named {@code "KEYS " + secondaryName}.
     */
    private static BufferedImage panel(String title, String unit, List<ResultRow> rows,
            ToDoubleFunction<ResultRow> value, ToDoubleFunction<ResultRow> secondary, String secondaryName) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("keys in the database").yAxisTitle(unit).build();
        XYStyler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setLegendBorderColor(Color.LIGHT_GRAY);
        styler.setPlotGridLinesColor(new Color(225, 225, 225));
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        styler.setYAxisLogarithmic(true);
        styler.setYAxisDecimalPattern("#,##0.##");
        styler.setXAxisDecimalPattern("#,##0");

        Map<String, TreeMap<Long, Double>> series = new LinkedHashMap<>();
        for (ResultRow row : rows) {
            series.computeIfAbsent(row.label(), k -> new TreeMap<>())
                    .put(row.datasetKeys(), Math.max(FLOOR_MS, value.applyAsDouble(row)));
        }
        boolean severalSizes = series.values().stream().anyMatch(points -> points.size() > 1);
        styler.setXAxisLogarithmic(severalSizes);
        int scanIndex = 0;
        for (Map.Entry<String, TreeMap<Long, Double>> entry : series.entrySet()) {
            double[] x = entry.getValue().keySet().stream().mapToDouble(Long::doubleValue).toArray();
            double[] y = entry.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
            XYSeries s = chart.addSeries(entry.getKey(), x, y);
            Color color;
            String name = entry.getKey();
            if (name.equals("KEYS")) {
                color = new Color(200, 30, 30);
                s.setLineWidth(3f);
                s.setMarker(SeriesMarkers.SQUARE);
            } else if (name.equals("SCAN_AUTO")) {
                color = Color.BLACK;
                s.setLineWidth(3f);
                s.setMarker(SeriesMarkers.DIAMOND);
            } else if (name.equals("LETTUCE_SCANSTREAM")) {
                color = new Color(140, 60, 170);
                s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[] {6f, 4f}, 0f));
                s.setMarker(SeriesMarkers.TRIANGLE_UP);
            } else {
                // the fixed-COUNT SCAN paths: light to dark blue as COUNT grows
                Color[] blues = {new Color(120, 180, 230), new Color(60, 140, 210), new Color(20, 100, 180),
                    new Color(10, 60, 120), new Color(5, 30, 70)};
                color = blues[Math.min(scanIndex++, blues.length - 1)];
                s.setLineStyle(SeriesLines.SOLID);
                s.setMarker(SeriesMarkers.CIRCLE);
            }
            s.setLineColor(color);
            s.setMarkerColor(color);
        }
        for (String path : List.of("KEYS", "SCAN_AUTO")) {
            TreeMap<Long, Double> points = new TreeMap<>();
            for (ResultRow row : rows) {
                if (row.label().equals(path)) {
                    points.put(row.datasetKeys(), Math.max(FLOOR_MS, secondary.applyAsDouble(row)));
                }
            }
            if (points.isEmpty()) {
                continue;
            }
            XYSeries s = chart.addSeries(path + " " + secondaryName,
                    points.keySet().stream().mapToDouble(Long::doubleValue).toArray(),
                    points.values().stream().mapToDouble(Double::doubleValue).toArray());
            Color color = path.equals("KEYS") ? new Color(200, 30, 30) : Color.BLACK;
            s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f,
                    new float[] {1f, 4f}, 0f));
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(color);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }
}
