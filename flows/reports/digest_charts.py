"""The digest's charts as PNG bytes (matplotlib, Agg backend: no display needed).

Sized for a 600px e-mail column and drawn at twice the pixels so they stay sharp on phones.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any, Sequence

from mediawatch.i18n import t

WIDTH_IN, HEIGHT_IN, DPI = 5.6, 2.3, 200
BLUE, RED, GREY = "#1a5fb4", "#c0392b", "#7f8c8d"


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=7)
    return plt, fig, ax


def _png(plt, fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    # metadata={"Software": None} keeps the bytes stable (no version stamp) for identical input.
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def volume_chart(days: Sequence[date], counts: Sequence[int], negative: Sequence[int], lang: str = "vi") -> bytes:
    """Bars: items per day; line (right axis): negative share."""
    plt, fig, ax = _figure()
    labels = [d.strftime("%d/%m") for d in days]
    ax.bar(range(len(days)), counts, color=BLUE, alpha=0.85, label=t("chart_volume", lang))
    ax.set_xticks(range(len(days)), labels, rotation=45, ha="right")
    ax.set_ylabel(t("chart_volume", lang), fontsize=7)
    share = [100.0 * n / c if c else 0.0 for n, c in zip(negative, counts)]
    ax2 = ax.twinx()
    ax2.plot(range(len(days)), share, color=RED, marker="o", markersize=2.5, linewidth=1.3,
             label=t("chart_sentiment", lang))
    ax2.set_ylim(0, 100)
    ax2.set_ylabel(t("chart_sentiment", lang) + " (%)", fontsize=7, color=RED)
    ax2.tick_params(labelsize=7, colors=RED)
    ax2.spines[["top"]].set_visible(False)
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], fontsize=6, loc="upper left", frameon=False)
    return _png(plt, fig)


def forecast_chart(value: dict[str, Any], lang: str = "vi") -> bytes:
    """History (last 14 days) and the 7-day forecast with its prediction interval."""
    plt, fig, ax = _figure()
    history = value["history"][-14:]
    future = value["forecast"]
    xs_h = list(range(len(history)))
    xs_f = list(range(len(history), len(history) + len(future)))
    ax.plot(xs_h, [h["count"] for h in history], color=BLUE, marker="o", markersize=2.5, linewidth=1.3,
            label=t("history", lang))
    ax.plot(xs_f, [f["volume"] for f in future], color=RED, linestyle="--", linewidth=1.3,
            label=t("predicted", lang))
    ax.fill_between(xs_f, [f["volume_lower"] for f in future], [f["volume_upper"] for f in future],
                    color=RED, alpha=0.15, linewidth=0)
    low, high = value.get("usual_range", [None, None])
    if high is not None:
        ax.axhline(high, color=GREY, linewidth=0.8, linestyle=":")
    labels = [date.fromisoformat(p["date"]).strftime("%d/%m") for p in history + future]
    ax.set_xticks(xs_h + xs_f, labels, rotation=45, ha="right")
    ax.set_ylabel(t("chart_volume", lang), fontsize=7)
    ax.legend(fontsize=6, loc="upper left", frameon=False)
    return _png(plt, fig)
