#!/usr/bin/python3
"""The peer side of bench/train: torchvision ResNet-50, one fixed random batch, SGD(momentum,
weight decay), optional bf16 autocast and channels_last -- the same step rn50-exp --bench times.
Prints one JSON line."""
import argparse
import json
import time

import torch
import torchvision


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--channels-last", action="store_true")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = torchvision.models.resnet50(num_classes=1000).to(memory_format=fmt)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    crit = torch.nn.CrossEntropyLoss()
    x = torch.randn(a.batch_size, 3, a.image_size, a.image_size).contiguous(memory_format=fmt)
    y = torch.randint(1000, (a.batch_size,))

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
            out = model(x)
        loss = crit(out.float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    s = time.perf_counter() - t0
    print(json.dumps({"images_per_s": a.batch_size * a.steps / s, "seconds_per_step": s / a.steps,
                      "threads": torch.get_num_threads(), "steps": a.steps}))


if __name__ == "__main__":
    main()
