#!/usr/bin/python3
"""The peer: torchvision ImageFolder + DataLoader with the same training transforms
(RandomResizedCrop(224), RandomHorizontalFlip, ToTensor, Normalize) and 2 worker processes.
Prints one JSON line with img/s over --epochs full passes after a warm-up of a few batches."""
import argparse
import json
import time

import torch
import torchvision.datasets as datasets
import torchvision.transforms as T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(1)
    tf = T.Compose([T.RandomResizedCrop(a.size), T.RandomHorizontalFlip(), T.ToTensor(),
                    T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    ds = datasets.ImageFolder(a.root + "/train", tf)
    dl = torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=True, num_workers=a.workers,
                                     drop_last=True, persistent_workers=True)
    it = iter(dl)
    for _ in range(a.warmup):
        next(it)
    images = 0
    t0 = time.perf_counter()
    for _ in it:  # rest of the warm-up epoch
        images += a.batch
    for _ in range(a.epochs - 1):
        for _ in dl:
            images += a.batch
    dt = time.perf_counter() - t0
    print(json.dumps({"impl": "torchvision", "workers": a.workers, "batch": a.batch,
                      "images": images, "seconds": round(dt, 3),
                      "img_per_s": round(images / dt, 1)}))


if __name__ == "__main__":
    main()
