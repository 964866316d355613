#include "models/neural_backend.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>

#include "core/error.hpp"

#ifndef KSAUTH_TORCH_PLUGIN
#define KSAUTH_TORCH_PLUGIN "libksauth_torch.so"
#endif

namespace ksauth::models::neural {
namespace {

constexpr std::size_t kErrorSize = 512;

struct Plugin {
  const ksauth_neural_api* api = nullptr;
  std::string why;  // why api is null
};

const Plugin& plugin() {
  static const Plugin loaded = [] {
    Plugin p;
    const char* env = std::getenv("KSAUTH_TORCH_PLUGIN");
    const std::string path = env && *env ? env : KSAUTH_TORCH_PLUGIN;
    // Never closed: libtorch does not support being unloaded.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* e = dlerror();
      p.why = "cannot load the libtorch plugin " + path + ": " + (e ? e : "unknown error") +
              " (install libtorch-dev and rebuild, or set KSAUTH_TORCH_PLUGIN)";
      return p;
    }
    using Entry = const ksauth_neural_api* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, "ksauth_neural_api_v1"));
    const ksauth_neural_api* api = entry ? entry() : nullptr;
    if (!api || api->abi_version != KSAUTH_NEURAL_ABI_VERSION) {
      p.why = path + " is not a ksauth libtorch plugin of this version";
      return p;
    }
    p.api = api;
    return p;
  }();
  return loaded;
}

const ksauth_neural_api& api() {
  const Plugin& p = plugin();
  if (!p.api) throw Error(ErrorKind::unavailable, p.why);
  return *p.api;
}

[[noreturn]] void fail(ErrorKind kind, const char* what, const char* error) {
  throw Error(kind, std::string(what) + ": " + (error[0] ? error : "failed"));
}

// The training callbacks: progress reports can throw (cancelled), which must not cross the C boundary,
// so the exception waits here until the plugin has returned.
struct TrainContext {
  const Progress* progress;
  std::exception_ptr thrown;
};

int on_batch(void* context) {
  auto* c = static_cast<TrainContext*>(context);
  try {
    c->progress->throw_if_cancelled();
    return 0;
  } catch (...) {
    c->thrown = std::current_exception();
    return 1;
  }
}

int on_epoch(void* context, std::int32_t epoch, std::int32_t epochs, double loss, double validation_accuracy) {
  auto* c = static_cast<TrainContext*>(context);
  try {
    // app/jobs.cpp job_percent reads a step starting "epoch " as training: keep that start.
    char step[96];
    if (validation_accuracy >= 0)
      std::snprintf(step, sizeof step, "epoch %d: loss %.4f, validation accuracy %.4f", epoch, loss, validation_accuracy);
    else
      std::snprintf(step, sizeof step, "epoch %d: loss %.4f", epoch, loss);
    c->progress->report(step, static_cast<std::size_t>(epoch), static_cast<std::size_t>(epochs));
    return 0;
  } catch (...) {
    c->thrown = std::current_exception();
    return 1;
  }
}

std::size_t row_width(const ksauth_net_spec& spec) {
  const auto inputs = static_cast<std::size_t>(spec.n_inputs);
  return spec.kind == KSAUTH_NET_LSTM ? inputs * static_cast<std::size_t>(spec.n_steps) : inputs;
}

void check_rows(const ksauth_net_spec& spec, std::size_t values, std::size_t rows) {
  if (values != rows * row_width(spec))
    throw Error(ErrorKind::invalid_input, "neural network: " + std::to_string(values) + " input values for " +
                                              std::to_string(rows) + " rows of " + std::to_string(row_width(spec)));
}

}  // namespace

bool available(std::string* why) {
  const Plugin& p = plugin();
  if (why) *why = p.why;
  return p.api != nullptr;
}

Network::Network(const ksauth_net_spec& spec, std::uint64_t seed) : spec_(spec) {
  char error[kErrorSize] = "";
  net_ = api().create(&spec, seed, error, sizeof error);
  if (!net_) fail(ErrorKind::invalid_input, "cannot build the network", error);
}

Network::Network(const ksauth_net_spec& spec, std::string_view saved) : spec_(spec) {
  char error[kErrorSize] = "";
  net_ = api().load(&spec, saved.data(), saved.size(), error, sizeof error);
  if (!net_) fail(ErrorKind::corrupt, "the network's weights cannot be read", error);
}

Network::Network(Network&& other) noexcept : spec_(other.spec_), net_(other.net_) { other.net_ = nullptr; }

Network& Network::operator=(Network&& other) noexcept {
  if (this != &other) {
    if (net_) api().destroy(net_);
    spec_ = other.spec_;
    net_ = other.net_;
    other.net_ = nullptr;
  }
  return *this;
}

Network::~Network() {
  if (net_) plugin().api->destroy(net_);
}

TrainSummary Network::train(const TrainData& train, const TrainData& validation, const ksauth_train_spec& settings,
                            const Progress& progress) {
  check_rows(spec_, train.x.size(), train.rows());
  check_rows(spec_, validation.x.size(), validation.rows());
  TrainContext context{&progress, nullptr};
  const ksauth_train_callbacks callbacks{&context, on_epoch, on_batch};
  ksauth_train_result result{};
  char error[kErrorSize] = "";
  const int status = api().train(net_, train.x.data(), train.y.data(), train.rows(), validation.x.data(),
                                 validation.y.data(), validation.rows(), &settings, &callbacks, &result, error,
                                 sizeof error);
  if (context.thrown) std::rethrow_exception(context.thrown);
  if (status != 0) fail(ErrorKind::invalid_input, "training the network failed", error);
  return {result.epochs_run, result.best_epoch, result.best_validation_accuracy, result.final_loss};
}

Matrix Network::predict(std::span<const float> x, std::size_t rows) const {
  check_rows(spec_, x.size(), rows);
  Matrix out(rows, static_cast<std::size_t>(spec_.n_classes));
  if (rows == 0) return out;
  char error[kErrorSize] = "";
  if (api().predict(net_, x.data(), rows, out.row(0).data(), error, sizeof error) != 0)
    fail(ErrorKind::invalid_input, "the network cannot score these rows", error);
  return out;
}

std::string Network::save() const {
  std::string bytes;
  char error[kErrorSize] = "";
  auto append = [](void* context, const void* data, std::size_t size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size);
  };
  if (api().save(net_, append, &bytes, error, sizeof error) != 0)
    fail(ErrorKind::io, "cannot save the network's weights", error);
  return bytes;
}

std::vector<double> Network::parameters() const {
  char error[kErrorSize] = "";
  std::size_t count = 0;
  if (api().parameters(net_, nullptr, 0, &count, error, sizeof error) != 0)
    fail(ErrorKind::io, "cannot read the network's weights", error);
  std::vector<double> out(count);
  if (api().parameters(net_, out.data(), out.size(), &count, error, sizeof error) != 0)
    fail(ErrorKind::io, "cannot read the network's weights", error);
  return out;
}

}  // namespace ksauth::models::neural
