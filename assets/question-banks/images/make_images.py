#!/usr/bin/python3
"""Draw the illustrations used by the default question banks.

Flat-colour, text-free pictures (480x320 PNG) for appliance and safety questions.
Written for this project; needs only Debian's python3-pil.

Usage:  /usr/bin/python3 make_images.py [OUTPUT_DIR]
        (OUTPUT_DIR defaults to the folder of this script)

The output is deterministic: running it again gives the same pictures.
"""

import math
import os
import sys

from PIL import Image, ImageDraw

W, H = 480, 320
SCALE = 2  # draw at 2x and downsample for smooth edges

# palette
WALL = (236, 231, 220)
FLOOR = (196, 170, 130)
WHITE = (250, 250, 250)
OFFWHITE = (232, 232, 226)
GREY = (150, 150, 150)
DARK = (60, 60, 66)
BLACK = (30, 30, 30)
RED = (214, 48, 49)
ORANGE = (243, 140, 30)
YELLOW = (253, 203, 60)
BLUE = (60, 130, 200)
LIGHTBLUE = (170, 210, 240)
SKIN = (241, 194, 150)
SKIN_DARK = (214, 160, 115)
COPPER = (200, 115, 50)
STEEL = (180, 186, 194)
GREEN = (70, 160, 90)
CURTAIN = (170, 60, 90)
CURTAIN_DARK = (130, 40, 70)
TILE = (210, 226, 236)
TILE_LINE = (180, 200, 214)


class Canvas:
    """Drawing helper working in 480x320 logical coordinates."""

    def __init__(self, background):
        self.img = Image.new("RGB", (W * SCALE, H * SCALE), background)
        self.d = ImageDraw.Draw(self.img)

    @staticmethod
    def _s(seq):
        return [v * SCALE for v in seq]

    def rect(self, box, fill, outline=None, width=2, radius=0):
        if radius:
            self.d.rounded_rectangle(self._s(box), radius=radius * SCALE, fill=fill,
                                     outline=outline, width=width * SCALE)
        else:
            self.d.rectangle(self._s(box), fill=fill, outline=outline, width=width * SCALE)

    def ellipse(self, box, fill, outline=None, width=2):
        self.d.ellipse(self._s(box), fill=fill, outline=outline, width=width * SCALE)

    def poly(self, points, fill, outline=None):
        pts = [(x * SCALE, y * SCALE) for x, y in points]
        self.d.polygon(pts, fill=fill, outline=outline)

    def line(self, points, fill, width=2):
        pts = [(x * SCALE, y * SCALE) for x, y in points]
        self.d.line(pts, fill=fill, width=width * SCALE, joint="curve")

    def arc(self, box, start, end, fill, width=2):
        self.d.arc(self._s(box), start, end, fill=fill, width=width * SCALE)

    def save(self, path):
        self.img.resize((W, H), Image.LANCZOS).save(path, optimize=True)


# ---------------------------------------------------------------- shared symbols

def warning_sign(c, cx, cy, size=34):
    """Yellow warning triangle with an exclamation mark."""
    h = size * math.sqrt(3) / 2
    pts = [(cx, cy - h * 2 / 3), (cx - size / 2, cy + h / 3), (cx + size / 2, cy + h / 3)]
    c.poly(pts, YELLOW)
    c.line(pts + [pts[0]], BLACK, 3)
    c.line([(cx, cy - h * 0.35), (cx, cy + h * 0.05)], BLACK, 4)
    c.ellipse((cx - 2.5, cy + h * 0.14, cx + 2.5, cy + h * 0.14 + 5), BLACK, None, 0)


def spark(c, cx, cy, r=16):
    """Zig-zag star of an electric spark."""
    pts = []
    for i in range(16):
        ang = i * math.pi / 8
        rr = r if i % 2 == 0 else r * 0.45
        pts.append((cx + rr * math.cos(ang), cy + rr * math.sin(ang)))
    c.poly(pts, YELLOW, ORANGE)
    c.ellipse((cx - r * 0.25, cy - r * 0.25, cx + r * 0.25, cy + r * 0.25), WHITE, None, 0)


def flame(c, cx, base, h=40, w=22):
    """A stylised flame standing on (cx, base)."""
    outer = [(cx - w / 2, base), (cx - w / 2 - 2, base - h * 0.45), (cx - w * 0.15, base - h * 0.7),
             (cx, base - h), (cx + w * 0.2, base - h * 0.65), (cx + w / 2 + 2, base - h * 0.45),
             (cx + w / 2, base)]
    c.poly(outer, ORANGE)
    inner = [(cx - w * 0.28, base), (cx - w * 0.3, base - h * 0.35), (cx, base - h * 0.62),
             (cx + w * 0.3, base - h * 0.35), (cx + w * 0.28, base)]
    c.poly(inner, YELLOW)


def wall_socket(c, x, y, size=56):
    """Chinese wall socket plate (two-pin plus three-pin) with its top-left at (x, y)."""
    c.rect((x, y, x + size, y + size), WHITE, GREY, 2, radius=6)
    s = size / 56
    # two-pin slots (upper)
    c.rect((x + 18 * s, y + 10 * s, x + 21 * s, y + 18 * s), DARK, None, 0)
    c.rect((x + 35 * s, y + 10 * s, x + 38 * s, y + 18 * s), DARK, None, 0)
    # three-pin slots (lower, angled)
    c.rect((x + 26.5 * s, y + 26 * s, x + 29.5 * s, y + 34 * s), DARK, None, 0)
    c.line([(x + 16 * s, y + 38 * s), (x + 21 * s, y + 44 * s)], DARK, 3)
    c.line([(x + 40 * s, y + 38 * s), (x + 35 * s, y + 44 * s)], DARK, 3)


def plug(c, x, y, color=OFFWHITE, w=30, h=36):
    """Plug body seen from above with its cable leaving downwards; returns cable start."""
    c.rect((x, y, x + w, y + h), color, GREY, 2, radius=5)
    return (x + w / 2, y + h)


# ---------------------------------------------------------------- pictures

def frayed_cord(path):
    c = Canvas(WALL)
    c.rect((0, 250, W, H), FLOOR, None, 0)
    wall_socket(c, 40, 60, 70)
    # plug in the socket, cable runs down and across the floor
    c.rect((58, 86, 92, 124), OFFWHITE, GREY, 2, radius=5)
    c.line([(75, 124), (75, 200), (110, 262), (220, 268)], BLACK, 9)
    # damaged part: outer sheath open, coloured wires exposed
    x0, x1 = 220, 300
    c.line([(x0 - 4, 268), (x0 + 6, 268)], BLACK, 11)
    c.line([(x0 + 5, 262), (x1 - 5, 258), (x1, 262)], (139, 90, 43), 4)     # brown (live)
    c.line([(x0 + 5, 268), (x1 - 5, 268), (x1, 268)], BLUE, 4)               # blue (neutral)
    c.line([(x0 + 5, 274), (x1 - 5, 280), (x1, 276)], (120, 170, 40), 4)     # green-yellow (earth)
    # bare copper strands sticking out
    for i, (dx, dy) in enumerate([(-4, -6), (8, -4), (3, 8), (12, 6), (-2, 10)]):
        c.line([(x0 + 40 + i * 6, 266), (x0 + 40 + i * 6 + dx, 266 + dy)], COPPER, 2)
    # sheath torn edges
    c.poly([(x0 + 4, 260), (x0 + 14, 256), (x0 + 10, 264)], BLACK)
    c.poly([(x1 - 2, 259), (x1 + 10, 254), (x1 + 6, 264)], BLACK)
    c.line([(x1 + 4, 268), (420, 270), (460, 262)], BLACK, 9)
    # appliance (kettle) at the end
    c.rect((400, 190, 470, 262), (90, 160, 200), DARK, 2, radius=10)
    c.rect((410, 178, 460, 192), (70, 140, 180), DARK, 2, radius=4)
    c.arc((445, 200, 480, 250), 270, 90, DARK, 5)
    spark(c, 262, 240, 18)
    spark(c, 286, 292, 12)
    warning_sign(c, 420, 70, 60)
    c.save(path)


def overloaded_power_strip(path):
    c = Canvas(WALL)
    c.rect((0, 230, W, H), FLOOR, None, 0)
    # power strip on the floor (long white bar with sockets)
    c.rect((60, 190, 420, 250), WHITE, GREY, 2, radius=10)
    c.rect((380, 202, 408, 238), RED, DARK, 2, radius=4)  # switch
    colors = [BLACK, OFFWHITE, (90, 90, 180), (200, 200, 60), (60, 140, 80)]
    cables = []
    for i, col in enumerate(colors):
        x = 80 + i * 58
        cables.append(plug(c, x, 196, col, 36, 42))
    # second strip plugged into the first (daisy chain)
    c.rect((120, 268, 300, 306), WHITE, GREY, 2, radius=8)
    for i in range(3):
        x = 136 + i * 52
        c.rect((x, 272, x + 28, 300), [BLACK, (160, 80, 40), OFFWHITE][i], GREY, 2, radius=4)
    # cables rising to many appliances (tangle)
    targets = [(40, 40), (120, 30), (220, 50), (320, 30), (440, 60)]
    for (sx, sy), (tx, ty), col in zip(cables, targets, [DARK, GREY, (90, 90, 180), (160, 150, 40), (60, 140, 80)]):
        c.line([(sx, sy - 42), (sx, 150), ((sx + tx) / 2, 120), (tx, ty + 40)], col, 5)
    # appliance icons at the top
    c.rect((14, 30, 66, 80), (200, 80, 70), DARK, 2, radius=6)       # heater
    c.rect((96, 20, 146, 70), STEEL, DARK, 2, radius=6)              # kettle
    c.rect((190, 40, 250, 90), (70, 70, 80), DARK, 2, radius=6)      # microwave
    c.rect((200, 50, 232, 80), (40, 40, 46), None, 0)
    c.rect((296, 20, 346, 70), (230, 160, 60), DARK, 2, radius=6)    # rice cooker
    c.rect((414, 50, 466, 100), (70, 120, 200), DARK, 2, radius=6)   # iron/air con
    # heat glow around the strip
    for r in (8, 16):
        c.arc((40 - r, 170 - r, 440 + r, 270 + r), 200, 340, (255, 120, 60), 3)
    flame(c, 108, 194, 26, 16)
    flame(c, 226, 194, 30, 18)
    warning_sign(c, 420, 150, 50)
    c.save(path)


def wet_hands_switch(path):
    c = Canvas(TILE)
    # tiled wall
    for x in range(0, W, 60):
        c.line([(x, 0), (x, H)], TILE_LINE, 2)
    for y in range(0, H, 60):
        c.line([(0, y), (W, y)], TILE_LINE, 2)
    # light switch plate
    c.rect((250, 90, 340, 180), WHITE, GREY, 3, radius=8)
    c.rect((270, 110, 320, 160), OFFWHITE, GREY, 2, radius=4)
    c.line([(274, 134), (316, 134)], GREY, 2)
    # hand reaching from the left (palm + fingers)
    c.poly([(0, 190), (120, 160), (170, 150), (200, 150), (205, 165), (170, 175),
            (165, 195), (120, 220), (0, 240)], SKIN, SKIN_DARK)
    for i, y in enumerate([120, 134, 148, 162]):
        c.rect((150, y, 236 - i * 8, y + 13), SKIN, SKIN_DARK, 2, radius=6)
    c.rect((120, 164, 182, 178), SKIN, SKIN_DARK, 2, radius=6)  # thumb
    # water drops on the hand and dripping
    for (x, y, r) in [(160, 126, 5), (190, 140, 4), (130, 190, 6), (90, 205, 5), (210, 154, 4)]:
        c.ellipse((x - r, y - r, x + r, y + r), BLUE, None, 0)
    for (x, y) in [(100, 250), (140, 270), (70, 282), (180, 236)]:
        c.poly([(x, y - 10), (x - 6, y + 2), (x + 6, y + 2)], BLUE)
        c.ellipse((x - 6, y - 4, x + 6, y + 8), BLUE, None, 0)
    # tap and water in the lower right (bathroom hint)
    c.rect((380, 220, 470, 240), STEEL, DARK, 2, radius=6)
    c.rect((440, 240, 456, 262), STEEL, DARK, 2)
    c.rect((444, 262, 452, 320), LIGHTBLUE, None, 0)
    # spark between hand and switch
    spark(c, 244, 130, 14)
    warning_sign(c, 420, 60, 56)
    c.save(path)


def gas_hose(path):
    c = Canvas(WALL)
    c.rect((0, 200, W, H), (160, 130, 100), None, 0)        # cabinet
    c.rect((0, 190, W, 206), (120, 100, 80), None, 0)       # worktop edge
    # gas pipe with valve on the wall
    c.line([(60, 0), (60, 100)], (230, 200, 40), 12)
    c.rect((46, 96, 74, 120), YELLOW, DARK, 2, radius=4)
    c.rect((74, 102, 110, 112), RED, DARK, 2, radius=3)      # valve handle
    # hose leaving the valve, with a crack
    pts = [(60, 120), (70, 160), (110, 175), (170, 170), (220, 160)]
    c.line(pts, (240, 180, 60), 14)
    # crack: dark zig-zag across the hose
    c.line([(140, 163), (146, 172), (140, 178), (148, 184)], BLACK, 3)
    # hose end hanging off the stove nozzle (disconnected)
    c.line([(220, 160), (260, 150), (290, 156)], (240, 180, 60), 14)
    c.rect((286, 148, 300, 166), (200, 150, 40), DARK, 2)
    # stove nozzle a gap away
    c.rect((330, 150, 360, 160), STEEL, DARK, 2)
    # the stove
    c.rect((350, 120, 470, 196), (60, 60, 66), DARK, 2, radius=6)
    c.ellipse((370, 126, 420, 146), BLACK, None, 0)
    c.ellipse((420, 126, 466, 146), BLACK, None, 0)
    c.ellipse((400, 164, 416, 180), STEEL, None, 0)
    # leaking gas clouds
    for (x, y, r) in [(150, 140, 14), (168, 118, 18), (190, 92, 22), (310, 130, 14), (322, 104, 18)]:
        c.ellipse((x - r, y - r, x + r, y + r), (190, 220, 180), (150, 190, 140), 2)
    warning_sign(c, 250, 60, 56)
    c.save(path)


def pan_on_stove(path):
    c = Canvas(WALL)
    c.rect((0, 210, W, H), (160, 130, 100), None, 0)
    c.rect((60, 180, 420, 214), (60, 60, 66), DARK, 2, radius=6)   # hob
    c.ellipse((214, 194, 230, 210), STEEL, None, 0)                # knob
    c.ellipse((330, 194, 346, 210), STEEL, None, 0)
    # flames under the pan
    for x in range(130, 290, 26):
        flame(c, x, 184, 28, 16)
    # pan with smoke and flames from oil
    c.rect((110, 140, 310, 172), BLACK, DARK, 2, radius=12)
    c.rect((306, 148, 440, 160), (110, 80, 50), DARK, 2, radius=4)  # handle
    flame(c, 170, 140, 46, 30)
    flame(c, 220, 140, 62, 36)
    flame(c, 262, 140, 40, 26)
    for (x, y, r) in [(180, 60, 22), (220, 40, 28), (260, 62, 20), (200, 18, 18)]:
        c.ellipse((x - r, y - r, x + r, y + r), (120, 120, 120), (90, 90, 90), 2)
    # an empty doorway: nobody in the kitchen
    c.rect((20, 30, 90, 176), (200, 190, 170), (150, 140, 120), 3)
    c.ellipse((74, 100, 84, 110), (150, 140, 120), None, 0)
    warning_sign(c, 410, 70, 56)
    c.save(path)


def microwave_metal(path):
    c = Canvas(WALL)
    c.rect((0, 250, W, H), (160, 130, 100), None, 0)
    # microwave body
    c.rect((60, 70, 420, 254), (220, 220, 224), DARK, 3, radius=12)
    c.rect((80, 90, 320, 236), (40, 40, 46), DARK, 2, radius=6)     # window (door open view)
    c.rect((336, 96, 404, 140), (30, 40, 40), DARK, 2, radius=4)    # display
    c.rect((346, 108, 394, 128), (60, 200, 120), None, 0)
    for row in range(3):
        for col in range(2):
            x, y = 346 + col * 28, 156 + row * 26
            c.rect((x, y, x + 20, y + 16), OFFWHITE, GREY, 1, radius=3)
    # turntable
    c.ellipse((100, 200, 300, 230), (90, 90, 96), None, 0)
    # a metal bowl and a fork inside
    c.poly([(130, 170), (250, 170), (232, 210), (148, 210)], STEEL, (120, 126, 134))
    c.line([(136, 178), (244, 178)], WHITE, 3)
    c.line([(260, 130), (290, 205)], STEEL, 5)
    for dx in (-6, 0, 6):
        c.line([(256 + dx, 112), (262 + dx, 132)], STEEL, 3)
    # sparks
    spark(c, 250, 160, 16)
    spark(c, 136, 158, 12)
    spark(c, 284, 120, 12)
    warning_sign(c, 430, 40, 50)
    c.save(path)


def heater_curtains(path):
    c = Canvas(WALL)
    c.rect((0, 250, W, H), FLOOR, None, 0)
    # window and long curtains
    c.rect((230, 20, 450, 180), LIGHTBLUE, (200, 200, 200), 4)
    c.rect((210, 10, 470, 20), (120, 90, 60), None, 0)              # rail
    for x0 in (210, 400):
        c.rect((x0, 20, x0 + 70, 262), CURTAIN, CURTAIN_DARK, 2)
        for k in range(1, 4):
            c.line([(x0 + k * 17, 24), (x0 + k * 17, 260)], CURTAIN_DARK, 2)
    # space heater (bar heater with glowing elements) right next to the left curtain
    c.rect((110, 140, 206, 266), (230, 230, 230), DARK, 3, radius=8)
    c.rect((122, 154, 194, 236), (70, 30, 30), None, 0)
    for y in range(162, 232, 14):
        c.line([(126, y), (190, y)], (255, 110, 40), 6)
    c.rect((118, 266, 198, 274), DARK, None, 0)
    # heat waves reaching the curtain; nothing burns yet (safety-013 asks what to do before a fire starts)
    for i in range(4):
        y = 166 + i * 22
        c.line([(206, y), (212, y - 6), (218, y), (224, y - 6), (230, y)], (255, 120, 60), 3)
    # cable to wall socket
    wall_socket(c, 30, 200, 40)
    c.line([(50, 240), (60, 270), (110, 262)], BLACK, 5)
    warning_sign(c, 60, 70, 56)
    c.save(path)


def water_heater_bathroom(path):
    c = Canvas(TILE)
    for x in range(0, W, 60):
        c.line([(x, 0), (x, H)], TILE_LINE, 2)
    for y in range(0, H, 60):
        c.line([(0, y), (W, y)], TILE_LINE, 2)
    # electric storage water heater (horizontal cylinder) on the wall
    c.rect((40, 30, 300, 120), WHITE, GREY, 3, radius=40)
    c.rect((140, 62, 200, 92), (40, 60, 70), DARK, 2, radius=4)       # display
    c.rect((150, 70, 190, 84), (80, 200, 230), None, 0)
    # pipes down to a mixing valve
    c.line([(110, 120), (110, 180)], STEEL, 8)
    c.line([(230, 120), (230, 180)], STEEL, 8)
    c.rect((96, 176, 244, 196), STEEL, DARK, 2, radius=6)
    c.line([(170, 196), (170, 230)], STEEL, 6)
    # shower hose and head
    c.line([(170, 230), (200, 280), (300, 290), (350, 200)], (190, 190, 196), 6)
    c.ellipse((330, 170, 380, 206), STEEL, DARK, 2)
    for (x, y) in [(346, 214), (356, 226), (340, 236), (366, 244), (350, 256)]:
        c.ellipse((x - 3, y - 5, x + 3, y + 5), BLUE, None, 0)
    # socket with splash-proof cover and earthed plug beside the heater
    c.rect((330, 40, 400, 110), WHITE, GREY, 2, radius=6)
    c.rect((336, 46, 394, 80), (200, 225, 245), GREY, 2, radius=6)    # splash cover
    c.rect((350, 84, 380, 104), OFFWHITE, GREY, 2, radius=4)
    c.line([(365, 104), (365, 124)], BLACK, 5)
    c.line([(365, 124), (300, 110)], BLACK, 5)
    # earth symbol (green) near the plug
    gx, gy = 430, 80
    c.line([(gx, gy - 20), (gx, gy)], GREEN, 4)
    c.line([(gx - 16, gy), (gx + 16, gy)], GREEN, 4)
    c.line([(gx - 10, gy + 7), (gx + 10, gy + 7)], GREEN, 4)
    c.line([(gx - 4, gy + 14), (gx + 4, gy + 14)], GREEN, 4)
    c.save(path)


PICTURES = {
    "frayed-cord.png": frayed_cord,
    "overloaded-power-strip.png": overloaded_power_strip,
    "wet-hands-switch.png": wet_hands_switch,
    "gas-hose.png": gas_hose,
    "pan-on-stove.png": pan_on_stove,
    "microwave-metal.png": microwave_metal,
    "heater-curtains.png": heater_curtains,
    "water-heater-bathroom.png": water_heater_bathroom,
}


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    for name, draw in PICTURES.items():
        path = os.path.join(out, name)
        draw(path)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
