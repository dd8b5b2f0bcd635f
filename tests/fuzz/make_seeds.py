#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpora of the fuzz targets: make_seeds.py SOURCE_DIR OUT_DIR [CORPUS_DIR].

Seeds come from dumps/ (images, text dumps, descriptions), the shared corpus when present,
and text renderings of the images in every dump format (i2cdump, hexdump -C, xxd, plain hex),
each prefixed with the selector byte the target expects (see the fuzz_*.cpp headers).
"""
import hashlib
import pathlib
import sys

FIELDS_DDR4 = ["part_number=KHX2666C16/8G", "serial=0x1234abcd", "date=2021-W07",
               "manufacturer=Kingston", "dram_manufacturer=Samsung", "location=3",
               "revision=0x01", "speed=3200", "tck=0.75", "cas_latencies=14,15,16,17,18",
               "tAA=13.75", "tRCD=13.75", "tRP=13.75", "tRAS=32", "tRC=45.75", "tRFC1=350",
               "tRFC2=260", "tRFC4=160", "tFAW=21", "tRRD_S=3", "tRRD_L=4.9", "tCCD_L=5",
               "tWR=15", "tWTR_S=2.5", "tWTR_L=7.5", "xmp1.voltage=1.35", "xmp1.tck=0.625",
               "xmp1.tAA=10", "xmp1.enabled=1", "xmp2.speed=3600", "xmp1.cas_latencies=16,18"]
FIELDS_DDR3 = ["part_number=CMX8GX3M2A1600C9", "speed=1600", "tck=1.25", "tAA=13.125",
               "tRRD=6", "tWTR=7.5", "tRTP=7.5", "tCWL=5", "cas_latencies=6,7,8,9,10,11",
               "xmp1.voltage=1.65", "xmp1.tck=1.07", "date=2013-W28"]


def i2cdump(data):
    out = ["     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef"]
    for row in range(0, len(data), 16):
        chunk = data[row:row + 16]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        out.append(f"{row:02x}: {hexes}    {text}")
    return "\n".join(out) + "\n"


def hexdump_c(data):
    out = []
    for row in range(0, len(data), 16):
        chunk = data[row:row + 16]
        left = " ".join(f"{b:02x}" for b in chunk[:8])
        right = " ".join(f"{b:02x}" for b in chunk[8:])
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        out.append(f"{row:08x}  {left}  {right}  |{text}|")
    out.append(f"{len(data):08x}")
    return "\n".join(out) + "\n"


def xxd(data):
    out = []
    for row in range(0, len(data), 16):
        chunk = data[row:row + 16]
        groups = " ".join(chunk[i:i + 2].hex() for i in range(0, len(chunk), 2))
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        out.append(f"{row:08x}: {groups}  {text}")
    return "\n".join(out) + "\n"


def plain_hex(data):
    return "\n".join(" ".join(f"{b:02x}" for b in data[r:r + 16])
                     for r in range(0, len(data), 16)) + "\n"


def main():
    src = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    corpus = pathlib.Path(sys.argv[3]) if len(sys.argv) > 3 else None
    seeds = {t: [] for t in ("dump", "decode", "builder", "busspec", "emulator")}

    images, texts, descs = [], [], []
    roots = [src / "dumps", src / "dumps" / "broken"]
    if corpus and corpus.is_dir():
        roots += [corpus / "bin", corpus / "broken" / "bin"]
        texts += [p.read_bytes() for d in (corpus / "hex", corpus / "broken" / "hex")
                  if d.is_dir() for p in sorted(d.iterdir()) if p.is_file()]
    for root in roots:
        if root.is_dir():
            images += [p.read_bytes() for p in sorted(root.glob("*.bin"))]
    texts += [p.read_bytes() for p in sorted((src / "dumps").glob("*.txt"))]
    descs += [p.read_bytes() for p in sorted((src / "dumps").glob("*.desc"))]

    for img in images:
        img = img[:2048]
        seeds["dump"].append(b"\x01" + img)
        for sel, fmt in ((2, i2cdump), (3, hexdump_c), (4, xxd), (5, plain_hex)):
            seeds["dump"].append(bytes([sel]) + fmt(img).encode())
        seeds["dump"].append(b"\x00" + i2cdump(img).encode())
        seeds["decode"].append(b"\x03" + img)
        seeds["builder"].append(b"\x07" + len(img).to_bytes(2, "little") + img +
                                b"part_number=X\ntAA=13.5\n")
    seeds["dump"] += [b"\x00" + t for t in texts]
    # Forced types: DDR3 / DDR4 / DDR5 over images of the other generations.
    for i, img in enumerate(images[:40]):
        seeds["decode"].append(bytes([i % 3]) + img)
    seeds["builder"] += [b"\x00" + d for d in descs]
    seeds["builder"].append(b"\x01" + "\n".join(FIELDS_DDR4).encode())
    seeds["builder"].append(b"\x03" + "\n".join(FIELDS_DDR3).encode())
    seeds["builder"].append(b"\x05" + b"part_number=DDR5\nserial=1\ndate=2023-W01\n")

    seeds["busspec"] += [s.encode() for s in (
        "emu:ddr4@0x50", "emu:ddr3@0x51,hz=400000,twr_us=0", "emu:ddr5@0x50,smbus=1",
        "emu:24c02@0x50,page=0x50:16,wp=0x50:0", "emu:24c1025@0x50,24c512@0x51",
        "emu:ddr4@0x50,ddr4@0x51,vhv=0x50,wp=0x50:0+1+3,temp=-12.5",
        "emu:ddr3@0x50=m.bin,vhv=0x50,wp=0x50:0",
        "fault:seed=7,nack_nth=12:emu:ddr4@0x50",
        "fault:seed=3,nack_p=0.1,eagain_p=0.05,timeout_p=0.01,flip_p=0.2:emu:ddr4@0x50",
        "fault:vanish_nth=2,vanish_addr=0x50,slow_twr_us=9000:emu:ddr3@0x50",
        "fault:seed=1:fault:nack_nth=1:emu:24cm02@0x50",
    )]

    # Emulator: config bytes then a few transfers (write offset, read back, sensor read).
    for cfg in range(0, 256, 7):
        seeds["emulator"].append(bytes([cfg, cfg >> 3]) +
                                 b"\x00\x50\x04\x10\xaa\xbb\xcc" +   # write 0x50: 10 aa bb cc
                                 b"\x04\xff\xff" +                    # sleep
                                 b"\x01\x50\x01\x10\x04\x00" +        # write_read 4 bytes
                                 b"\x01\x18\x01\x05\x02\x00" +        # sensor temperature
                                 b"\x00\x36\x00\x02\x50\x00\x01" +    # SPA0, read
                                 b"\x03\x51\x09\x51\x01\x00\x00")

    for target, items in seeds.items():
        d = out / target
        d.mkdir(parents=True, exist_ok=True)
        for item in items:
            (d / hashlib.sha1(item).hexdigest()).write_bytes(item)
        print(f"{target}: {len(items)} seeds")


if __name__ == "__main__":
    main()
