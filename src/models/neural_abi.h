#pragma once
// The boundary between ksauth and its libtorch plugin (libksauth_torch.so, built from src/neural/).
// libtorch brings close to 300 shared libraries and over half a second of start-up to any process that
// links it, so only the neural models load it, on first use, through this plain C interface: plain
// numbers and arrays cross it, never C++ types or exceptions.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KSAUTH_NEURAL_ABI_VERSION 1

enum { KSAUTH_NET_MLP = 1, KSAUTH_NET_LSTM = 2 };

// The architecture: everything needed to build the network again before its weights are loaded.
typedef struct {
  int32_t kind;       // KSAUTH_NET_MLP or KSAUTH_NET_LSTM
  int32_t n_inputs;   // mlp: values per row; lstm: values per step
  int32_t n_steps;    // lstm: steps per row (0 for mlp)
  int32_t n_classes;
  int32_t hidden[2];  // mlp: the sizes of the two hidden layers; lstm: hidden size, number of layers
  int32_t embedding;  // lstm: size of the learned position embedding added to every step (0 = none)
  double dropout;
} ksauth_net_spec;

typedef struct {
  int32_t epochs;      // at most this many passes over the training rows
  int32_t batch_size;
  int32_t patience;    // stop after this many epochs without a better validation accuracy
  int32_t threads;     // torch::set_num_threads
  double learning_rate;  // Adam's
  uint64_t seed;         // torch's generator: initial weights, batch order, dropout masks
} ksauth_train_spec;

typedef struct {
  int32_t epochs_run;
  int32_t best_epoch;                // 1-based; the weights kept are this epoch's
  double best_validation_accuracy;   // -1 without validation rows
  double final_loss;                 // mean training loss of the last epoch run
} ksauth_train_result;

typedef struct {
  void* context;
  // After each epoch; a nonzero answer stops training at once (cancelled).
  int (*epoch)(void* context, int32_t epoch, int32_t epochs, double loss, double validation_accuracy);
  // Before each mini-batch; a nonzero answer stops training at once (cancelled).
  int (*batch)(void* context);
} ksauth_train_callbacks;

typedef struct ksauth_net ksauth_net;

// Row-major float inputs: mlp n x n_inputs, lstm n x n_steps x n_inputs. Every function that can fail
// returns 0 on success, else nonzero with a NUL-terminated message in error[error_size].
typedef struct {
  int32_t abi_version;  // KSAUTH_NEURAL_ABI_VERSION
  ksauth_net* (*create)(const ksauth_net_spec* spec, uint64_t seed, char* error, size_t error_size);
  void (*destroy)(ksauth_net* net);
  // Adam over shuffled mini-batches with cross-entropy; with validation rows, early stopping on their
  // accuracy (ties broken by their loss) and the best epoch's weights kept. Returns 2 when a callback
  // stopped it.
  int (*train)(ksauth_net* net, const float* x, const int32_t* y, size_t n, const float* x_validation,
               const int32_t* y_validation, size_t n_validation, const ksauth_train_spec* spec,
               const ksauth_train_callbacks* callbacks, ksauth_train_result* result, char* error,
               size_t error_size);
  // probabilities: n x n_classes, each row summing to 1.
  int (*predict)(ksauth_net* net, const float* x, size_t n, double* probabilities, char* error, size_t error_size);
  // The weights in libtorch's own archive format, handed to write() in pieces.
  int (*save)(ksauth_net* net, void (*write)(void* context, const void* data, size_t size), void* context,
              char* error, size_t error_size);
  // A network of `spec` with the weights of a saved archive; refuses an archive whose tensors are missing
  // or of other shapes.
  ksauth_net* (*load)(const ksauth_net_spec* spec, const void* data, size_t size, char* error, size_t error_size);
  // Every weight, flattened in a fixed order; *count is set to the total even when capacity is smaller.
  int (*parameters)(ksauth_net* net, double* out, size_t capacity, size_t* count, char* error, size_t error_size);
} ksauth_neural_api;

// The one symbol the plugin exports.
const ksauth_neural_api* ksauth_neural_api_v1(void);

#ifdef __cplusplus
}
#endif
