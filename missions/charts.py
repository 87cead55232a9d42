"""
Bar charts drawn on the server as SVG: the template (missions/includes/bar_chart.html)
only places what is computed here. Each chart comes with the same rows as a table, so the
numbers can be read without the picture.
"""

from dataclasses import dataclass, field

# Geometry of the SVG's viewBox; the CSS scales it to the column's width.
WIDTH = 640
LABEL_WIDTH = 210
VALUE_WIDTH = 120
BAR_HEIGHT = 22
GAP = 8


@dataclass
class Bar:
    label: str
    value: int
    display: str
    short: str
    url: str = ""
    y: int = 0
    width: float = 0.0
    text_y: int = 0
    value_x: float = 0.0


@dataclass
class BarChart:
    slug: str
    title: str
    caption: str
    header: str
    value_header: str
    bars: list[Bar] = field(default_factory=list)
    total_display: str = ""

    @property
    def height(self):
        return max(1, len(self.bars)) * (BAR_HEIGHT + GAP)

    @property
    def width(self):
        return WIDTH

    @property
    def bar_x(self):
        return LABEL_WIDTH

    @property
    def label_x(self):
        return LABEL_WIDTH - 8

    @property
    def bar_height(self):
        return BAR_HEIGHT


def bar_chart(slug, *, title, caption, header, value_header, rows, total_display=""):
    """`rows` is [(label, value, display, short display, url)], drawn in the order given;
    the longest bar fills the width left after the labels and values."""
    chart = BarChart(slug, title, caption, header, value_header, total_display=total_display)
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    largest = max((row[1] for row in rows), default=0)
    for index, (label, value, display, short, url) in enumerate(rows):
        y = index * (BAR_HEIGHT + GAP)
        width = round(room * value / largest, 1) if largest else 0.0
        chart.bars.append(
            Bar(
                label=str(label),
                value=value,
                display=display,
                short=short,
                url=url,
                y=y,
                width=max(width, 1.0) if value else 0.0,
                text_y=y + BAR_HEIGHT - 6,
                value_x=LABEL_WIDTH + width + 6,
            )
        )
    return chart
