package io.keyscan.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * against the dataset size, on log-log axes. Drawn with XChart into an image, headless.
 */
final class ChartWriter {

    static final int PANEL_WIDTH = 720;
    static final int PANEL_HEIGHT = 330;
    static final int TITLE_HEIGHT = 56;

    /** Values are drawn no lower than this on the log axes (a probe may see no PING in a sub-millisecond run). */
    static final double FLOOR_MS = 0.01;

    private ChartWriter() {
    }

    static void write(Path file, List<ResultRow> rows, String subtitle) throws IOException {
        Map<String, List<ResultRow>> byClass = new LinkedHashMap<>();
        for (ResultRow row : rows) {
            byClass.computeIfAbsent(row.queryClass(), k -> new ArrayList<>()).add(row);
        }
        List<BufferedImage[]> panels = new ArrayList<>();
        for (Map.Entry<String, List<ResultRow>> entry : byClass.entrySet()) {
            panels.add(new BufferedImage[] {
                panel(entry.getKey() + ": median wall time", "ms", entry.getValue(), ResultRow::medianMillis),
                panel(entry.getKey() + ": longest PING delay of the probe client", "ms", entry.getValue(),
                        ResultRow::probeMaxMillis)});
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
            g.drawString("KEYS vs SCAN over rails_performance-shaped keys (log-log)", 16, 26);
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

    private static BufferedImage panel(String title, String unit, List<ResultRow> rows,
            ToDoubleFunction<ResultRow> value) {
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
        return BitmapEncoder.getBufferedImage(chart);
    }
}
