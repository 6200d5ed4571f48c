package io.escapement.simulator.compare;

import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * One look per strategy, the same in every chart of a report: a colour (Okabe and Ito's palette for colour-blind
 * readers, then darker tones), a marker and a line style, so that two strategies differ in all three and a
 * grey-scale print still tells them apart. Strategies are given looks in the order they are first named.
 */
public final class Palette
{
    private static final Color[] COLOURS = {
        new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
        new Color(230, 159, 0), new Color(86, 180, 233), new Color(0, 0, 0), new Color(140, 86, 75),
        new Color(120, 120, 120), new Color(148, 103, 189)};
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
        SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS, SeriesMarkers.PLUS};
    private static final BasicStroke[] LINES = {SeriesLines.SOLID, SeriesLines.DASH_DASH, SeriesLines.DOT_DOT,
        SeriesLines.DASH_DOT};

    /** A strategy's look. */
    public record Look(Color colour, Marker marker, BasicStroke line)
    {
    }

    private final List<String> named = new ArrayList<>();

    /** @param strategies the strategies in the order of the report's tables: they take the first looks. */
    public Palette(final List<String> strategies)
    {
        strategies.forEach(this::look);
    }

    /**
     * The strategy's look, given it now if it has none yet.
     *
     * @param strategy the strategy's specification.
     * @return the strategy's look, given it now if it has none yet.
     */
    public synchronized Look look(final String strategy)
    {
        int k = named.indexOf(strategy);
        if (k < 0)
        {
            named.add(strategy);
            k = named.size() - 1;
        }
        return new Look(COLOURS[k % COLOURS.length], MARKERS[k % MARKERS.length], LINES[k % LINES.length]);
    }
}
