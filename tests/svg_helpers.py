"""Reading cvkit's live SVG charts in tests: which folds are drawn, in which state."""

import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def bars(svg, *states, kind="cvkit-bar"):
    """Folds of the <rect> elements of ``svg`` whose class holds ``kind`` and every one of ``states``."""
    out = []
    for el in ET.fromstring(svg).iter(f"{SVG}rect"):
        classes = el.get("class", "").split()
        if kind in classes and all(s in classes for s in states):
            out.append(int(el.get("data-fold")))
    return sorted(out)
