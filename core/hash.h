#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace rn50::core {

// Lower-case hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view bytes);

// The same over bytes that arrive in pieces (a file read in blocks).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  std::string hex();  // ends the hash

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace rn50::core
