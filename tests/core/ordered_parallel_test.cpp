#include "core/ordered_parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rn50::core {
namespace {

TEST(OrderedParallel, ConsumesInIndexOrderWhateverTheProducersFinishingOrder) {
  std::vector<size_t> seen;
  for_each_ordered<std::string>(
      40, 3, 6,
      [](size_t i) {
        // Early indices finish last, so workers complete out of order.
        std::this_thread::sleep_for(std::chrono::microseconds(40 - i) * 50);
        return std::to_string(i * i);
      },
      [&](size_t i, std::string&& v) {
        EXPECT_EQ(v, std::to_string(i * i));
        seen.push_back(i);
      });
  ASSERT_EQ(seen.size(), 40u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i);
}

TEST(OrderedParallel, NeverHoldsMoreThanTheWindowAhead) {
  std::atomic<size_t> consumed{0};
  std::atomic<size_t> worst_lead{0};
  for_each_ordered<int>(
      30, 2, 4,
      [&](size_t i) {
        const size_t lead = i - consumed.load();
        size_t w = worst_lead.load();
        while (lead > w && !worst_lead.compare_exchange_weak(w, lead)) {
        }
        return static_cast<int>(i);
      },
      [&](size_t i, int&&) {
        std::this_thread::sleep_for(std::chrono::microseconds(300));
        consumed = i + 1;
      });
  EXPECT_EQ(consumed.load(), 30u);
  EXPECT_LT(worst_lead.load(), 4u);  // index i starts only once i - consumed < window
}

TEST(OrderedParallel, AProducerErrorSurfacesAtItsIndexAfterEarlierResults) {
  std::vector<size_t> seen;
  EXPECT_THROW(for_each_ordered<int>(
                   10, 2, 4,
                   [](size_t i) {
                     if (i == 5) throw std::runtime_error("bad item 5");
                     return static_cast<int>(i);
                   },
                   [&](size_t i, int&&) { seen.push_back(i); }),
               std::runtime_error);
  EXPECT_EQ(seen, (std::vector<size_t>{0, 1, 2, 3, 4}));
}

TEST(OrderedParallel, AConsumerErrorStopsTheWorkersAndPropagates) {
  std::atomic<size_t> produced{0};
  EXPECT_THROW(for_each_ordered<int>(
                   1000, 2, 4,
                   [&](size_t i) {
                     ++produced;
                     return static_cast<int>(i);
                   },
                   [](size_t i, int&&) {
                     if (i == 3) throw std::logic_error("stop");
                   }),
               std::logic_error);
  EXPECT_LT(produced.load(), 20u);
}

TEST(OrderedParallel, ZeroItemsDoNothing) {
  bool called = false;
  for_each_ordered<int>(
      0, 2, 4,
      [&](size_t) {
        called = true;
        return 0;
      },
      [&](size_t, int&&) { called = true; });
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace rn50::core
