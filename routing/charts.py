"""Chart data for the firm's Calls page, drawn by static/js/calls_chart.js (Chart.js).

Four named series, stacked, so the bars add up to the calls offered: the calls answered
within their line's target, those answered later, those the caller hung up on, and the rest
(voicemail, a failed or lost call: a firm once read 11 calls offered over 3 bars). Colours:
blue, amber, magenta and slate grey — told apart with red-green colour blindness too, each at
least 4.5:1 against the white page (WCAG's 3:1 for graphics, with room) — and a legend; the
page has the same figures as a table.
"""

SERIES = [
    ("within_target", "Answered within target", "#0b5cad"),
    ("later", "Answered later", "#a84d00"),
    ("abandoned", "Abandoned", "#a3195b"),
    ("other", "Not answered (voicemail, failed)", "#4f5b66"),
]


def calls_chart(*, chart_id: str, title: str, x_title: str, rows: list[dict], label) -> dict:
    return {
        "id": chart_id,
        "title": title,
        "x_title": x_title,
        "y_title": "Calls",
        "labels": [label(row) for row in rows],
        "series": [
            {"label": name, "colour": colour, "data": [row[key] for row in rows]}
            for key, name, colour in SERIES
        ],
    }
