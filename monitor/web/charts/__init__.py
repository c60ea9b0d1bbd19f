"""Charts drawn on the server as SVG, by pure functions: data in, escaped markup out.

    palette     colours (Okabe-Ito, safe for colour-blind readers), hatch patterns, contrast
    bars        stacked bars over time, and ranked horizontal bars
    choropleth  the map of Latin America and the Caribbean shaded by volume
    shapes      reads the packaged map shapes (monitor/web/geo, from scripts/vendor-shapes)
    tables      a chart's numbers as rows, and as CSV that a spreadsheet cannot execute

Every chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>``
(``aria-labelledby``); the page shows the same numbers as an HTML table and offers them as
CSV, so nothing is only in the picture. No JavaScript is involved.
"""
