#!/usr/bin/env python3
"""Draws the built-in pack's step figures (content/midback/figures/*.svg).

One set of parts (a person from behind or from the side, the spine as a
dashed line, fists, roller, massager, arrows) so every figure looks alike.
Lines only, in currentColor, on a 240 x 200 viewBox. Run from the
repository root: python3 tools/figures/draw.py. The pack checks the output
when it loads (see crates/knead-core/src/pack/figure.rs).
"""

from pathlib import Path

OUT = Path("content/midback/figures")

HEAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 200" width="240" height="200" '
    'fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" stroke-linejoin="round">\n'
    "<title>{title}</title>\n"
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="7" refY="5" markerWidth="4" markerHeight="4" '
    'orient="auto-start-reverse"><path d="M0 1 L9 5 L0 9 z" fill="currentColor" stroke="none"/></marker></defs>\n'
)
TAIL = "</svg>\n"
TINT = 'fill="currentColor" fill-opacity="0.25"'


def arrow(d, both=False, width=2.5):
    start = ' marker-start="url(#arrow)"' if both else ""
    return f'<path d="{d}" stroke-width="{width}"{start} marker-end="url(#arrow)"/>'


def spine(x, y1, y2):
    return f'<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke-width="2" stroke-dasharray="2 5"/>'


def fist(x, y):
    return f'<circle cx="{x}" cy="{y}" r="6" {TINT}/>'


def floor(y=186):
    return f'<line x1="10" y1="{y}" x2="230" y2="{y}" stroke-width="2" stroke-opacity="0.5"/>'


def level(x, y, on):
    """The massager's setting: three bars, `on` of them filled."""
    bars = []
    for i in range(3):
        h = 6 + 4 * i
        fill = 'fill="currentColor"' if i < on else ""
        bars.append(f'<rect x="{x + 8 * i}" y="{y - h}" width="5" height="{h}" stroke-width="1.5" {fill}/>')
    return "".join(bars)


def back_torso(cx=120, top=54, waist=118, hip=136, blades=True):
    """A torso seen from behind, with the spine and shoulder blades."""
    l, r = cx - 16, cx + 16
    parts = [
        f'<path d="M{l} {top} L{r} {top} Q{cx + 30} {top + 2} {cx + 30} {top + 14} L{cx + 22} {waist} '
        f'L{cx + 24} {hip} L{cx - 24} {hip} L{cx - 22} {waist} L{cx - 30} {top + 14} Q{cx - 30} {top + 2} {l} {top} Z"/>',
        spine(cx, top + 2, hip - 2),
    ]
    if blades:
        parts.append(
            f'<path d="M{cx - 16} {top + 14} Q{cx - 20} {top + 28} {cx - 10} {top + 38}" stroke-width="1.5"/>'
            f'<path d="M{cx + 16} {top + 14} Q{cx + 20} {top + 28} {cx + 10} {top + 38}" stroke-width="1.5"/>'
        )
    return "".join(parts)


def standing_back(cx=120, arms="hang"):
    """A person standing, seen from behind."""
    parts = [
        f'<circle cx="{cx}" cy="30" r="14"/>',
        f'<line x1="{cx}" y1="44" x2="{cx}" y2="54"/>',
        back_torso(cx),
        f'<path d="M{cx - 14} 136 L{cx - 16} 186 L{cx - 26} 188"/>',
        f'<path d="M{cx + 14} 136 L{cx + 16} 186 L{cx + 26} 188"/>',
    ]
    if arms == "hang":
        parts.append(f'<path d="M{cx - 28} 64 L{cx - 38} 104 L{cx - 40} 134"/>')
        parts.append(f'<path d="M{cx + 28} 64 L{cx + 38} 104 L{cx + 40} 134"/>')
    return "".join(parts)


def arms_behind(cx, fy):
    """Both arms bent behind the back, fists either side of the spine at height fy."""
    return (
        f'<path d="M{cx - 28} 64 L{cx - 44} {fy - 14} L{cx - 12} {fy}"/>'
        f'<path d="M{cx + 28} 64 L{cx + 44} {fy - 14} L{cx + 12} {fy}"/>'
        + fist(cx - 10, fy)
        + fist(cx + 10, fy)
    )


def where(x, y, mark):
    """A small torso from behind in a corner: where the tool goes."""
    s = 0.45
    inner = back_torso(0, 0, 64, 82)
    marks = {
        "band": '<rect x="-34" y="30" width="68" height="14" rx="7" ' + TINT + ' stroke-width="2"/>',
        "beside": fist(-10, 40) + fist(10, 40),
        "beside-move": fist(-10, 40)
        + fist(10, 40)
        + arrow("M-22 50 L-22 26", both=True, width=2)
        + arrow("M22 50 L22 26", both=True, width=2),
    }[mark]
    return (
        f'<g transform="translate({x} {y}) scale({s})" stroke-width="4">'
        f'<rect x="-44" y="-8" width="88" height="98" rx="8" stroke-width="2" stroke-opacity="0.5"/>'
        f"{inner}{marks}</g>"
    )


def roller(x, y, r=11):
    return f'<circle cx="{x}" cy="{y}" r="{r}" {TINT}/><circle cx="{x}" cy="{y}" r="3" stroke-width="2"/>'


def massager(x, y, angle=0):
    """A massage gun's head and handle, drawn at (x, y)."""
    return (
        f'<g transform="translate({x} {y}) rotate({angle})">'
        f'<rect x="-7" y="-9" width="14" height="18" rx="5" {TINT}/>'
        f'<path d="M7 0 L22 0 M16 0 L18 18" stroke-width="4"/></g>'
    )


def buzz(x, y):
    """Short lines either side of a point: it is vibrating."""
    return (
        f'<path d="M{x - 4} {y - 16} q4 -4 8 0 M{x - 4} {y + 16} q4 4 8 0" stroke-width="1.5"/>'
    )


def chair(x=150, seat=128):
    """A chair with a high back, seen from the side, the back on the right."""
    return (
        f'<path d="M{x} 40 L{x + 6} {seat} L{x + 6} 186 M{x - 62} {seat} L{x + 6} {seat} '
        f'M{x - 60} {seat} L{x - 60} 186" stroke-width="3" stroke-opacity="0.6"/>'
    )


def sitting_side(lean=0, arms="lap"):
    """A person sitting in the chair, seen from the side, facing left."""
    hx, hy = 126 + lean, 38
    sx, sy = 128 + lean // 2, 60
    parts = [
        f'<circle cx="{hx}" cy="{hy}" r="14"/>',
        f'<path d="M{sx} {sy - 8} Q{sx + 10} 92 136 124"/>',
        '<path d="M136 124 L90 124 L86 184 L74 184"/>',
    ]
    if arms == "lap":
        parts.append(f'<path d="M{sx + 2} {sy + 4} L{sx - 6} 96 L100 112"/>')
    return "".join(parts)


FIGURES = {}


def figure(name, title):
    def add(draw):
        FIGURES[name] = (title, draw)
        return draw

    return add


@figure("hands-stand-tall", "Standing tall, seen from behind")
def _():
    return standing_back() + arrow("M146 26 L146 6") + arrow("M84 42 L84 56") + arrow("M156 42 L156 56")


@figure("hands-make-fists", "Fists on either side of the spine, seen from behind")
def _():
    return (
        standing_back(arms="none")
        + arms_behind(120, 122)
    )


@figure("hands-knead", "Knuckles working upwards beside the spine")
def _():
    return (
        standing_back(arms="none")
        + arms_behind(120, 108)
        + arrow("M110 98 L110 72")
        + arrow("M130 98 L130 72")
    )


@figure("hands-shake-out", "Arms hanging and shoulders rolling")
def _():
    return (
        standing_back()
        + arrow("M78 62 A14 14 0 1 1 96 46", width=2)
        + arrow("M162 62 A14 14 0 1 0 144 46", width=2)
    )


def on_floor(parts, scale=1.25):
    """A person on the floor is wide and low: draw them larger, about the
    floor's middle, with lines as thick as in the other figures."""
    return (
        f'<g transform="translate(120 192) scale({scale}) translate(-107 -188)" stroke-width="{3 / scale:.2f}">'
        f"{parts}</g>"
    )


def on_roller(hips):
    """Lying back over the roller, hands behind the head; hips at `hips` (x, y)."""
    hx, hy = hips
    return (
        roller(80, 175)
        + '<circle cx="36" cy="150" r="14"/>'
        + f'<path d="M50 156 L80 162 L{hx} {hy}"/>'
        + f'<path d="M{hx} {hy} L{hx + 32} 130 L172 184 L186 184"/>'
        + '<path d="M58 150 L46 138 L34 138"/>'
    )


def sitting_floor():
    """Sitting on the floor, knees bent, hands behind the head, facing right."""
    return (
        '<circle cx="88" cy="82" r="14"/>'
        '<path d="M86 98 L80 150"/>'
        '<path d="M80 150 L132 124 L150 182 L164 184"/>'
        '<path d="M84 108 L104 92 L98 74"/>'
    )


@figure("roller-set-up", "Sitting on the floor with the roller behind")
def _():
    return on_floor(floor() + sitting_floor() + roller(44, 175) + arrow("M70 160 L58 168", width=2))


@figure("roller-lean-back", "Lying back with the roller under the middle of the back")
def _():
    return (
        on_floor(
            floor()
            + on_roller((118, 178))
            + arrow("M60 112 Q40 120 38 132", width=2)
        )
        + where(200, 28, "band")
    )


@figure("roller-roll", "Hips lifted, rolling forwards and back")
def _():
    return on_floor(
        floor()
        + on_roller((124, 150))
        + arrow("M64 128 L110 118", both=True)
        + arrow("M124 170 L124 156", width=2)
    )


@figure("roller-get-up", "Rolling onto one side to sit up")
def _():
    return on_floor(
        floor()
        + roller(30, 175)
        + '<circle cx="70" cy="140" r="14"/>'
        + '<path d="M82 148 L130 176 L170 164 L176 184 L190 184"/>'
        + '<path d="M92 156 L86 184 L100 184"/>'
        + arrow("M52 118 Q62 96 86 98", width=2)
    )


def leaning_on_massager(lean, setting, running):
    """Sitting in the chair with the massager behind the mid-back, its setting shown."""
    parts = floor() + chair() + sitting_side(lean=lean) + massager(146, 84)
    return parts + (buzz(146, 84) if running else "") + level(20, 40, setting)


def switched_off(x, y):
    """The power symbol: the massager is off."""
    return f'<path d="M{x - 6} {y + 10} A10 10 0 1 0 {x + 6} {y + 10} M{x} {y} L{x} {y + 12}" stroke-width="2.5"/>'


@figure("massager-sit", "Sitting in a chair with a high back")
def _():
    return floor() + chair() + sitting_side()


@figure("massager-place", "The massager between the chair back and the muscles beside the spine")
def _():
    return leaning_on_massager(0, 1, running=False) + where(40, 110, "beside")


@figure("massager-lean-low", "Leaning back on the massager at its lowest setting")
def _():
    return leaning_on_massager(6, 1, running=True) + arrow("M98 52 L120 46", width=2)


@figure("massager-adjust", "Turning the setting up a little and moving the massager beside the spine")
def _():
    return (
        leaning_on_massager(6, 2, running=True)
        + arrow("M174 100 L174 64", both=True, width=2)
        + where(40, 110, "beside-move")
    )


@figure("massager-switch-off", "Massager off, sitting up slowly")
def _():
    return (
        floor()
        + chair()
        + sitting_side()
        + massager(104, 108)
        + switched_off(40, 34)
        + arrow("M112 44 L112 22", width=2)
    )


def lying_face_down():
    """Lying face down on a mat, seen from the side, head on the left."""
    return (
        '<rect x="14" y="170" width="212" height="10" rx="4" stroke-width="2" stroke-opacity="0.6"/>'
        '<circle cx="36" cy="154" r="13"/>'
        '<path d="M50 152 Q100 140 140 156 L206 162"/>'
        '<path d="M52 164 L140 168"/>'
    )


def helper_kneeling():
    """The helper kneeling beside, reaching down with the massager."""
    return (
        '<circle cx="150" cy="50" r="13"/>'
        '<path d="M152 64 L162 112 L150 150 L196 150"/>'
        '<path d="M154 76 L136 100 L124 118"/>'
    )


@figure("helper-get-comfortable", "Lying face down, the helper beside with the massager")
def _():
    return (
        lying_face_down()
        + helper_kneeling()
        + massager(106, 138, -90)
    )


def back_lying():
    """The back from above, as the helper sees it."""
    return (
        '<rect x="52" y="4" width="136" height="192" rx="10" stroke-width="2" stroke-opacity="0.4"/>'
        '<circle cx="120" cy="26" r="13"/>'
        + back_torso(120, 46, 120, 144)
        + '<path d="M90 58 L78 110 L80 150 M150 58 L162 110 L160 150" stroke-opacity="0.6"/>'
        + '<path d="M106 144 L104 190 M134 144 L136 190" stroke-opacity="0.6"/>'
    )


@figure("helper-start-low", "Slow circles beside the spine at the lowest setting")
def _():
    return (
        back_lying()
        + massager(106, 96, 180)
        + arrow("M88 104 A18 18 0 1 1 110 116", width=2)
        + level(20, 40, 1)
    )


@figure("helper-adjust", "A little more pressure, the massager moving beside the spine")
def _():
    return (
        back_lying()
        + massager(106, 96, 180)
        + arrow("M90 126 L90 66", both=True)
        + arrow("M150 126 L150 66", both=True)
        + level(20, 40, 2)
    )


@figure("helper-switch-off", "Massager off, sitting up slowly")
def _():
    return (
        '<rect x="14" y="170" width="212" height="10" rx="4" stroke-width="2" stroke-opacity="0.6"/>'
        '<circle cx="100" cy="70" r="14"/>'
        '<path d="M102 86 L110 160 L160 160 L176 166"/>'
        '<path d="M104 100 L124 130 L136 150"/>'
        + massager(196, 158, -90)
        + switched_off(40, 34)
        + arrow("M76 100 L76 64", width=2)
    )


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (title, draw) in FIGURES.items():
        body = draw()
        (OUT / f"{name}.svg").write_text(HEAD.format(title=title) + body.replace("><", ">\n<") + "\n" + TAIL)


if __name__ == "__main__":
    main()
