#!/usr/bin/python3
"""The peer side of bench/ddp: PyTorch's own DistributedDataParallel over Gloo (torch.distributed,
Debian python3-torch = the same LibTorch 1.13 as rn50-exp). torchvision ResNet-50, synthetic
images, SGD(momentum, weight decay), one process per rank started by run.sh with torchrun's
environment (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT). Rank 0 prints one JSON line with the
global img/s over the timed steps (after the warm-up)."""
import argparse
import json
import os
import time

import torch
import torch.distributed as dist
import torchvision


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=16, help="per rank")
    p.add_argument("--threads", type=int, default=1, help="intra-op threads per rank")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--channels-last", action="store_true")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    dist.init_process_group("gloo", init_method="env://")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = torchvision.models.resnet50(num_classes=1000).to(memory_format=fmt)
    model.train()
    # DDP's defaults: 25 MB buckets, buffers broadcast from rank 0 before each forward.
    ddp = torch.nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    crit = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(1000 + rank)  # different data per rank
    x = torch.randn(a.batch_size, 3, a.image_size, a.image_size, generator=gen)
    x = x.contiguous(memory_format=fmt)
    y = torch.randint(1000, (a.batch_size,), generator=gen)

    def step():
        loss = crit(ddp(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    dist.barrier()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    dist.barrier()
    s = time.perf_counter() - t0
    if rank == 0:
        print(json.dumps({"images_per_s": world * a.batch_size * a.steps / s,
                          "seconds_per_step": s / a.steps, "world_size": world,
                          "threads": torch.get_num_threads(), "steps": a.steps}), flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
