#!/usr/bin/python3
"""The peer side of bench/train: torchvision ResNet-50, one fixed random batch, SGD(momentum,
weight decay), optional autocast (CPU: bf16; CUDA: fp16 with GradScaler, or bf16) and
channels_last -- the same step rn50-exp --bench times. Prints one JSON line."""
import argparse
import json
import time

import torch
import torchvision


def grad_scaler(enabled):
    # torch.amp.GradScaler("cuda") since PyTorch 2.3; torch.cuda.amp.GradScaler before.
    if hasattr(torch, "amp") and hasattr(torch.amp, "GradScaler"):
        return torch.amp.GradScaler("cuda", enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--precision", choices=["fp32", "bf16", "fp16"], default="fp32")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--channels-last", action="store_true")
    a = p.parse_args()
    if a.precision == "fp16" and a.device != "cuda":
        p.error("fp16 autocast needs --device cuda")

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dev = torch.device(a.device)
    if a.device == "cuda":
        torch.backends.cudnn.benchmark = True  # as NGC's trainer and rn50-exp on CUDA
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = torchvision.models.resnet50(num_classes=1000).to(dev, memory_format=fmt)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    crit = torch.nn.CrossEntropyLoss()
    x = torch.randn(a.batch_size, 3, a.image_size, a.image_size, device=dev)
    x = x.contiguous(memory_format=fmt)
    y = torch.randint(1000, (a.batch_size,), device=dev)
    dtype = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[a.precision]
    scaler = grad_scaler(a.precision == "fp16")

    def step():
        with torch.autocast(a.device, dtype=dtype or torch.bfloat16, enabled=dtype is not None):
            out = model(x)
        loss = crit(out.float(), y)
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        return loss.item()

    def sync():
        if a.device == "cuda":
            torch.cuda.synchronize()

    for _ in range(a.warmup):
        step()
    sync()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    sync()
    s = time.perf_counter() - t0
    print(json.dumps({"images_per_s": a.batch_size * a.steps / s, "seconds_per_step": s / a.steps,
                      "threads": torch.get_num_threads(), "steps": a.steps, "device": a.device,
                      "precision": a.precision, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
