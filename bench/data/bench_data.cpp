// The rn50-exp data pipeline alone: folder backend, training transforms (RandomResizedCrop,
// flip, normalize), N decoding threads. Prints one JSON line with img/s, measured like
// peer_torchvision.py (after a few warm-up batches, over the rest of the epochs).
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "trainer/batch_source.h"

int main(int argc, char** argv) {
  rn50::trainer::DataOptions o;
  o.backend = "folder";
  o.batch_size = 64;
  o.workers = 2;
  o.image_size = 224;
  int epochs = 2, warmup = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--root")
      o.root = v;
    else if (k == "--workers")
      o.workers = std::atoll(v);
    else if (k == "--batch")
      o.batch_size = std::atoll(v);
    else if (k == "--size")
      o.image_size = std::atoll(v);
    else if (k == "--prefetch")
      o.prefetch = std::atoll(v);
    else if (k == "--epochs")
      epochs = std::atoi(v);
    else if (k == "--warmup")
      warmup = std::atoi(v);
    else {
      std::cerr << "bench_data: unknown option " << k << "\n";
      return 2;
    }
  }
  if (o.root.empty()) {
    std::cerr << "usage: bench_data --root DIR [--workers N --batch B --size S --epochs E]\n";
    return 2;
  }
  auto src = rn50::trainer::make_batch_source(o);
  int64_t images = 0;
  double waited = 0;
  std::chrono::steady_clock::time_point t0;
  for (int e = 0; e < epochs; ++e) {
    src->start_epoch(e);
    int b = 0;
    while (auto batch = src->next()) {
      if (e == 0 && b++ < warmup) {
        t0 = std::chrono::steady_clock::now();
        continue;
      }
      images += batch->images.size(0);
      waited += batch->wait_seconds;
    }
  }
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto problems = src->take_problems();
  std::cout << "{\"impl\": \"rn50-exp\", \"workers\": " << o.workers
            << ", \"batch\": " << o.batch_size << ", \"images\": " << images
            << ", \"seconds\": " << dt << ", \"img_per_s\": " << images / dt
            << ", \"consumer_wait_s\": " << waited << ", \"problems\": " << problems.size()
            << "}\n";
  return 0;
}
