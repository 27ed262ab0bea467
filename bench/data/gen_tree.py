#!/usr/bin/python3
"""Writes an ImageNet-like JPEG tree for bench/data: OUT/train/<class>/<i>.JPEG.

500x375 RGB images of 1/f ("pink") noise, whose spectrum resembles natural photos, so JPEG
decoding costs what it costs on ImageNet (a flat or white-noise image would be far cheaper or
dearer). Quality 90, PIL's default 4:2:0 subsampling. Deterministic (numpy seed 0).
"""
import argparse
import os

import numpy as np
from PIL import Image


def pink_noise(rng, h, w):
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    f = np.sqrt(fx * fx + fy * fy)
    f[0, 0] = 1.0
    channels = []
    base = rng.standard_normal((h, w // 2 + 1)) + 1j * rng.standard_normal((h, w // 2 + 1))
    for _ in range(3):
        # Channels share most of their structure, like real colour photos.
        own = rng.standard_normal(base.shape) + 1j * rng.standard_normal(base.shape)
        spec = (0.8 * base + 0.2 * own) / f
        img = np.fft.irfft2(spec, s=(h, w))
        img = (img - img.mean()) / (img.std() + 1e-9)
        channels.append(img)
    rgb = np.stack(channels, axis=-1) * 48 + 128
    return np.clip(rgb, 0, 255).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--per-class", type=int, default=128)
    ap.add_argument("--width", type=int, default=500)
    ap.add_argument("--height", type=int, default=375)
    ap.add_argument("--quality", type=int, default=90)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    for c in range(a.classes):
        d = os.path.join(a.out, "train", "class%02d" % c)
        os.makedirs(d, exist_ok=True)
        for i in range(a.per_class):
            p = os.path.join(d, "%04d.JPEG" % i)
            if os.path.exists(p):
                continue
            # Alternate orientations like ImageNet's mix of landscape and portrait.
            w, h = (a.width, a.height) if i % 4 else (a.height, a.width)
            Image.fromarray(pink_noise(rng, h, w)).save(p, quality=a.quality)
    print("gen_tree: %d images in %s" % (a.classes * a.per_class, a.out))


if __name__ == "__main__":
    main()
