// Runs produce(i) for i in [0, n) on worker threads and consume(i, result) on the calling
// thread strictly in index order, with at most `window` results alive at once. Ingest uses it
// to read, hash and parse file i+1.. while the single SQLite writer stores file i.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace rn50::core {

// Worker threads for CPU-bound producers next to one consumer: all cores but one, at least one.
inline size_t producer_threads(size_t max_threads = 4) {
  const size_t hw = std::thread::hardware_concurrency();
  const size_t n = hw > 1 ? hw - 1 : 1;
  return n < max_threads ? n : max_threads;
}

// produce: T(size_t). consume: void(size_t, T&&). An exception escaping produce is rethrown
// on the calling thread when its index comes up (produce should turn its own errors into
// values); an exception from consume stops the workers and propagates.
template <typename T, typename Produce, typename Consume>
void for_each_ordered(size_t n, size_t threads, size_t window, Produce produce, Consume consume) {
  if (n == 0) return;
  if (threads == 0) threads = 1;
  if (window < threads) window = threads;
  struct Slot {
    std::optional<T> value;
    std::exception_ptr error;
    bool done = false;
  };
  std::vector<Slot> slots(n);
  std::mutex mu;
  std::condition_variable ready;  // a slot was filled
  std::condition_variable room;   // the consumer moved on
  size_t next = 0;                // next index to hand to a worker
  size_t consumed = 0;            // indices below this are consumed
  bool stop = false;

  auto work = [&] {
    for (;;) {
      size_t i;
      {
        std::unique_lock lock(mu);
        room.wait(lock, [&] { return stop || next >= n || next < consumed + window; });
        if (stop || next >= n) return;
        i = next++;
      }
      Slot local;
      try {
        local.value.emplace(produce(i));
      } catch (...) {
        local.error = std::current_exception();
      }
      {
        std::lock_guard lock(mu);
        slots[i].value = std::move(local.value);
        slots[i].error = local.error;
        slots[i].done = true;
      }
      ready.notify_all();
    }
  };
  std::vector<std::thread> pool;
  const size_t nthreads = threads < n ? threads : n;
  pool.reserve(nthreads);
  for (size_t t = 0; t < nthreads; ++t) pool.emplace_back(work);

  std::exception_ptr failure;
  for (size_t i = 0; i < n && !failure; ++i) {
    std::optional<T> value;
    std::exception_ptr error;
    {
      std::unique_lock lock(mu);
      ready.wait(lock, [&] { return slots[i].done; });
      value = std::move(slots[i].value);
      error = slots[i].error;
      slots[i].value.reset();
    }
    try {
      if (error) std::rethrow_exception(error);
      consume(i, std::move(*value));
    } catch (...) {
      failure = std::current_exception();
    }
    {
      std::lock_guard lock(mu);
      consumed = i + 1;
      if (failure) stop = true;
    }
    room.notify_all();
  }
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace rn50::core
