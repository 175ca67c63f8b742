package dev.llmgateway.bench.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.List;
import java.util.Locale;

/**
 * An HdrHistogram percentile-distribution chart as inline SVG: latency against percentile on a log scale of
 * 1/(1-p), so the tail (99%, 99.9%, 99.99%) gets as much room as the median.
 */
final class PercentilePlot {
    record Series(String name, String color, Histogram histogram) {
    }

    private static final int WIDTH = 760;
    private static final int HEIGHT = 360;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 50;
    private static final String[] X_LABELS = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"};

    private PercentilePlot() {
    }

    static String svg(String title, List<Series> series) {
        double xMax = 3;
        long yMax = 1;
        for (Series s : series) {
            if (s.histogram().getTotalCount() > 0) {
                xMax = Math.max(xMax, Math.ceil(x(s.histogram().getTotalCount() > 1
                        ? 100.0 * (s.histogram().getTotalCount() - 1) / s.histogram().getTotalCount() : 0)));
                yMax = Math.max(yMax, s.histogram().getMaxValue());
            }
        }
        xMax = Math.min(xMax, X_LABELS.length - 1);
        StringBuilder svg = new StringBuilder().append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                        + "font-size=\"12\">%n<text x=\"%d\" y=\"18\" font-size=\"14\">%s</text>%n",
                WIDTH, HEIGHT, LEFT, escape(title)));
        axes(svg, xMax, yMax);
        int legendY = TOP + 10;
        for (Series s : series) {
            svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(s.color())
                    .append("\" points=\"");
            for (HistogramIterationValue v : s.histogram().percentiles(5)) {
                double px = LEFT + Math.min(x(v.getPercentileLevelIteratedTo()), xMax) / xMax * plotWidth();
                double py = TOP + plotHeight() - (double) v.getValueIteratedTo() / yMax * plotHeight();
                svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            svg.append("\"/>\n").append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    LEFT + 12, legendY, s.color(), LEFT + 30, legendY + 5, escape(s.name())));
            legendY += 16;
        }
        return svg.append("</svg>\n").toString();
    }

    /** Percentile (0..100) to decades of 1/(1-p): 90% → 1, 99% → 2, 99.9% → 3. */
    private static double x(double percentile) {
        return percentile >= 100 ? Double.MAX_VALUE : Math.log10(1 / (1 - percentile / 100));
    }

    private static void axes(StringBuilder svg, double xMax, long yMax) {
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
                LEFT, TOP, plotWidth(), plotHeight()));
        for (int decade = 0; decade <= xMax; decade++) {
            double px = LEFT + decade / xMax * plotWidth();
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px, TOP, px, TOP + plotHeight(), px, TOP + plotHeight() + 16, X_LABELS[decade]));
        }
        for (int tick = 0; tick <= 4; tick++) {
            double py = TOP + plotHeight() - tick / 4.0 * plotHeight();
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n",
                    LEFT, py, LEFT + plotWidth(), py, LEFT - 6, py + 4, Math.round(yMax * tick / 4.0)));
        }
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n"
                        + "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">µs</text>%n",
                LEFT + plotWidth() / 2, HEIGHT - 8, TOP + plotHeight() / 2, TOP + plotHeight() / 2));
    }

    private static int plotWidth() {
        return WIDTH - LEFT - RIGHT;
    }

    private static int plotHeight() {
        return HEIGHT - TOP - BOTTOM;
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
