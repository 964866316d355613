// libksauth_torch.so: the neural networks and their training loop behind the C interface of
// models/neural_abi.h. Nothing here knows of ksauth's own types; errors leave as messages.
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>
#include <torch/nn/functional/loss.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/utils.h>

#include "models/neural_abi.h"
#include "neural/adam.hpp"
#include "neural/networks.hpp"

struct ksauth_net {
  ksauth_net_spec spec{};
  std::shared_ptr<torch::nn::Module> module;
  std::function<torch::Tensor(const torch::Tensor&)> forward;
  std::function<void(uint64_t)> seed_dropout;
};

namespace {

using ksauth::neural::LstmNet;
using ksauth::neural::MlpNet;

// libtorch draws initial weights from one generator per process, so building networks takes turns: that
// is what makes a seed give the same initial weights. Training draws only from generators of its own (the
// batch order from a torch::Generator, dropout masks from FastDropout), so it runs beside other builds,
// loads and trainings, and a loaded model scores while another trains.
std::mutex& generator_mutex() {
  static std::mutex m;
  return m;
}

constexpr int64_t kEvalChunk = 4096;  // rows per forward pass when only scoring

// libtorch already spreads each operation over its own threads; an OpenBLAS (Debian's libblas.so.3 of
// choice) that starts threads of its own inside them oversubscribes the cores: measured on the CMU chain,
// an lstm epoch took 1.8 s, and 0.8 s with OpenBLAS kept to one thread.
void keep_blas_single_threaded() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (const char* lib : {"libblas.so.3", "libopenblas.so.0"}) {
      void* handle = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD);
      if (!handle) continue;
      if (auto set = reinterpret_cast<void (*)(int)>(dlsym(handle, "openblas_set_num_threads"))) set(1);
      dlclose(handle);  // only drops the reference RTLD_NOLOAD took
    }
  });
}

void set_error(char* error, std::size_t size, const std::string& message) {
  if (error == nullptr || size == 0) return;
  std::snprintf(error, size, "%s", message.c_str());
}

// Runs f, turning any exception into a message and a nonzero code.
template <class F>
int guarded(char* error, std::size_t size, F&& f) {
  try {
    return f();
  } catch (const c10::Error& e) {
    set_error(error, size, e.what_without_backtrace());
  } catch (const std::exception& e) {
    set_error(error, size, e.what());
  } catch (...) {
    set_error(error, size, "unknown error in libtorch");
  }
  return 1;
}

std::unique_ptr<ksauth_net> build(const ksauth_net_spec& spec) {
  ksauth::neural::check_spec(spec);
  keep_blas_single_threaded();
  auto net = std::make_unique<ksauth_net>();
  net->spec = spec;
  if (spec.kind == KSAUTH_NET_MLP) {
    MlpNet m(spec);
    net->module = m.ptr();
    net->forward = [m](const torch::Tensor& x) mutable { return m->forward(x); };
    net->seed_dropout = [m](uint64_t seed) mutable { m->seed_dropout(seed); };
  } else {
    LstmNet m(spec);
    net->module = m.ptr();
    net->forward = [m](const torch::Tensor& x) mutable { return m->forward(x); };
    net->seed_dropout = [m](uint64_t seed) mutable { m->seed_dropout(seed); };
  }
  return net;
}

torch::Tensor rows_tensor(const ksauth_net_spec& spec, const float* x, std::size_t n) {
  std::vector<int64_t> shape{static_cast<int64_t>(n)};
  for (int64_t d : ksauth::neural::row_shape(spec)) shape.push_back(d);
  return torch::from_blob(const_cast<float*>(x), shape, torch::kFloat32);  // read only
}

torch::Tensor labels_tensor(const int32_t* y, std::size_t n, int32_t n_classes) {
  for (std::size_t i = 0; i < n; ++i)
    if (y[i] < 0 || y[i] >= n_classes) throw std::invalid_argument("label out of range");
  return torch::from_blob(const_cast<int32_t*>(y), {static_cast<int64_t>(n)}, torch::kInt32).to(torch::kInt64);
}

std::vector<torch::Tensor> snapshot(torch::nn::Module& module) {
  std::vector<torch::Tensor> state;
  for (const torch::Tensor& p : module.parameters()) state.push_back(p.detach().clone());
  return state;
}

void restore(torch::nn::Module& module, const std::vector<torch::Tensor>& state) {
  torch::NoGradGuard no_grad;
  auto params = module.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(state[i]);
}

struct Validation {
  double accuracy;
  double loss;  // mean cross-entropy
  // Better: more rows right, or as many with more confidence in them (ties are common on small slices).
  bool better_than(const Validation& other) const {
    return accuracy > other.accuracy || (accuracy == other.accuracy && loss < other.loss);
  }
};

Validation validate(ksauth_net& net, const torch::Tensor& x, const torch::Tensor& y) {
  torch::NoGradGuard no_grad;
  int64_t right = 0;
  double loss = 0;
  for (int64_t b = 0; b < x.size(0); b += kEvalChunk) {
    const int64_t e = std::min(b + kEvalChunk, x.size(0));
    const torch::Tensor logits = net.forward(x.slice(0, b, e));
    right += logits.argmax(1).eq(y.slice(0, b, e)).sum().item<int64_t>();
    loss += torch::nn::functional::cross_entropy(logits, y.slice(0, b, e),
                                                 torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                .item<double>();
  }
  const auto n = static_cast<double>(x.size(0));
  return {static_cast<double>(right) / n, loss / n};
}

ksauth_net* net_create(const ksauth_net_spec* spec, uint64_t seed, char* error, size_t error_size) {
  ksauth_net* out = nullptr;
  guarded(error, error_size, [&] {
    std::lock_guard lock(generator_mutex());
    torch::manual_seed(seed);
    out = build(*spec).release();
    return 0;
  });
  return out;
}

void net_destroy(ksauth_net* net) { delete net; }

int net_train(ksauth_net* net, const float* x, const int32_t* y, size_t n, const float* xv, const int32_t* yv,
              size_t nv, const ksauth_train_spec* spec, const ksauth_train_callbacks* callbacks,
              ksauth_train_result* result, char* error, size_t error_size) {
  return guarded(error, error_size, [&] {
    if (n == 0 || spec->epochs < 1 || spec->batch_size < 1 || spec->patience < 1 || !(spec->learning_rate > 0))
      throw std::invalid_argument("training settings out of range");
    torch::set_num_threads(std::max(1, spec->threads));
    at::Generator order_generator = at::detail::createCPUGenerator(spec->seed);
    net->seed_dropout(spec->seed ^ 0x6b73617574682164ULL);  // a stream apart from torch's

    const torch::Tensor x_train = rows_tensor(net->spec, x, n);
    const torch::Tensor y_train = labels_tensor(y, n, net->spec.n_classes);
    const torch::Tensor x_val = nv ? rows_tensor(net->spec, xv, nv) : torch::Tensor();
    const torch::Tensor y_val = nv ? labels_tensor(yv, nv, net->spec.n_classes) : torch::Tensor();

    torch::nn::Module& module = *net->module;
    ksauth::neural::FusedAdam optimizer(module.parameters(), spec->learning_rate);
    std::vector<torch::Tensor> best_state;
    Validation best{-1.0, 0.0};
    ksauth_train_result r{0, 0, -1.0, 0.0};
    for (int32_t epoch = 1; epoch <= spec->epochs; ++epoch) {
      module.train();
      // The epoch's rows in their shuffled order once, so that every mini-batch is a contiguous slice.
      const torch::Tensor order =
          torch::randperm(static_cast<int64_t>(n), order_generator, torch::TensorOptions().dtype(torch::kInt64));
      const torch::Tensor x_epoch = x_train.index_select(0, order);
      const torch::Tensor y_epoch = y_train.index_select(0, order);
      torch::Tensor loss_sum = torch::zeros({}, torch::kFloat64);
      for (int64_t b = 0; b < static_cast<int64_t>(n); b += spec->batch_size) {
        if (callbacks && callbacks->batch && callbacks->batch(callbacks->context)) return 2;
        const int64_t e = std::min<int64_t>(b + spec->batch_size, n);
        optimizer.zero_grad();
        const torch::Tensor loss =
            torch::nn::functional::cross_entropy(net->forward(x_epoch.slice(0, b, e)), y_epoch.slice(0, b, e));
        loss.backward();
        optimizer.step();
        loss_sum += loss.detach() * static_cast<double>(e - b);
      }
      r.epochs_run = epoch;
      r.final_loss = loss_sum.item<double>() / static_cast<double>(n);
      if (!std::isfinite(r.final_loss))
        throw std::runtime_error("the training loss is not a number after epoch " + std::to_string(epoch) +
                                 ": training diverged; try a smaller learning_rate");
      double val_accuracy = -1;
      bool stop = false;
      if (nv > 0) {
        module.eval();
        const Validation v = validate(*net, x_val, y_val);
        val_accuracy = v.accuracy;
        if (v.better_than(best)) {
          best = v;
          r.best_validation_accuracy = val_accuracy;
          r.best_epoch = epoch;
          best_state = snapshot(module);
        } else if (epoch - r.best_epoch >= spec->patience) {
          stop = true;
        }
      } else {
        r.best_epoch = epoch;
      }
      if (callbacks && callbacks->epoch &&
          callbacks->epoch(callbacks->context, epoch, spec->epochs, r.final_loss, val_accuracy))
        return 2;
      if (stop) break;
    }
    if (!best_state.empty()) restore(module, best_state);
    module.eval();
    *result = r;
    return 0;
  });
}

int net_predict(ksauth_net* net, const float* x, size_t n, double* probabilities, char* error, size_t error_size) {
  return guarded(error, error_size, [&] {
    torch::NoGradGuard no_grad;
    net->module->eval();
    const torch::Tensor all = rows_tensor(net->spec, x, n);
    const int64_t k = net->spec.n_classes;
    for (int64_t b = 0; b < static_cast<int64_t>(n); b += kEvalChunk) {
      const int64_t e = std::min<int64_t>(b + kEvalChunk, n);
      const torch::Tensor p = torch::softmax(net->forward(all.slice(0, b, e)), 1).to(torch::kFloat64).contiguous();
      std::memcpy(probabilities + b * k, p.data_ptr<double>(), static_cast<std::size_t>((e - b) * k) * sizeof(double));
    }
    return 0;
  });
}

int net_save(ksauth_net* net, void (*write)(void*, const void*, size_t), void* context, char* error, size_t error_size) {
  return guarded(error, error_size, [&] {
    torch::serialize::OutputArchive archive;
    net->module->save(archive);
    archive.save_to([&](const void* data, size_t size) -> size_t {
      write(context, data, size);
      return size;
    });
    return 0;
  });
}

ksauth_net* net_load(const ksauth_net_spec* spec, const void* data, size_t size, char* error, size_t error_size) {
  ksauth_net* out = nullptr;
  guarded(error, error_size, [&] {
    std::unique_ptr<ksauth_net> net;
    {
      std::lock_guard lock(generator_mutex());
      net = build(*spec);
    }
    std::vector<std::vector<int64_t>> shapes;
    for (const torch::Tensor& p : net->module->parameters()) shapes.push_back(p.sizes().vec());
    torch::serialize::InputArchive archive;
    archive.load_from(static_cast<const char*>(data), size);
    net->module->load(archive);
    const auto params = net->module->parameters();
    if (params.size() != shapes.size()) throw std::runtime_error("the weights do not fit the network");
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (params[i].sizes().vec() != shapes[i] || params[i].scalar_type() != torch::kFloat32)
        throw std::runtime_error("the weights do not fit the network (tensor " + std::to_string(i) + ")");
      if (!torch::isfinite(params[i]).all().item<bool>())
        throw std::runtime_error("a weight is not finite (tensor " + std::to_string(i) + ")");
    }
    net->module->eval();
    out = net.release();
    return 0;
  });
  return out;
}

int net_parameters(ksauth_net* net, double* out, size_t capacity, size_t* count, char* error, size_t error_size) {
  return guarded(error, error_size, [&] {
    std::size_t at = 0;
    for (const torch::Tensor& p : net->module->parameters()) {
      const torch::Tensor flat = p.detach().reshape({-1}).to(torch::kFloat64).contiguous();
      const double* v = flat.data_ptr<double>();
      for (int64_t i = 0; i < flat.numel(); ++i, ++at)
        if (at < capacity) out[at] = v[i];
    }
    *count = at;
    return 0;
  });
}

const ksauth_neural_api kApi{KSAUTH_NEURAL_ABI_VERSION, net_create, net_destroy, net_train, net_predict,
                             net_save, net_load, net_parameters};

}  // namespace

extern "C" __attribute__((visibility("default"))) const ksauth_neural_api* ksauth_neural_api_v1(void) {
  return &kApi;
}
