// Built with -O3 -ffast-math (src/CMakeLists.txt): the gate loops then call glibc's vectorized expf and
// tanhf (libmvec). Those assume finite results (expf of more than 88 is undefined, not infinity), so every
// argument is clamped first to where the float result is already exact: a saturated gate once turned a
// whole training run into NaN.
#include "neural/fused_lstm.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <ATen/ATen.h>
#include <torch/autograd.h>
#include <torch/nn/init.h>

namespace ksauth::neural {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// sigmoid(+-30) and tanh(+-15) are +-1 (or 0) to float precision already.
inline float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-std::clamp(v, -30.0f, 30.0f))); }
inline float tanh_(float v) { return std::tanh(std::clamp(v, -15.0f, 15.0f)); }

// One row of one step, forward: the gates from their pre-activations (the hidden state's share p and the
// input's share in), the new cell state c and hidden state h. Separate restrict-qualified arrays, so that
// the compiler vectorizes the loop.
void cell_forward(const float* __restrict p, const float* __restrict in, const float* __restrict c_prev,
                  float* __restrict a, float* __restrict c, float* __restrict h, int H) {
  for (int j = 0; j < H; ++j) {
    const float i = sigmoid(p[j] + in[j]);
    const float f = sigmoid(p[H + j] + in[H + j]);
    const float g = tanh_(p[2 * H + j] + in[2 * H + j]);
    const float o = sigmoid(p[3 * H + j] + in[3 * H + j]);
    const float cc = f * c_prev[j] + i * g;
    a[j] = i;
    a[H + j] = f;
    a[2 * H + j] = g;
    a[3 * H + j] = o;
    c[j] = cc;
    h[j] = o * tanh_(cc);
  }
}

// One row of one step, backward: from the gradient reaching h (from the output and from the next step)
// and reaching c from the next step, the gradients of the four pre-activations; dc becomes the gradient
// reaching the previous cell state.
void cell_backward(const float* __restrict a, const float* __restrict c_prev, const float* __restrict c,
                   const float* __restrict g_out, const float* __restrict dh_next, float* __restrict dc,
                   float* __restrict dp, int H) {
  for (int j = 0; j < H; ++j) {
    const float i = a[j], f = a[H + j], g = a[2 * H + j], o = a[3 * H + j];
    const float tc = tanh_(c[j]);
    const float dh = g_out[j] + dh_next[j];
    const float dcc = dh * o * (1 - tc * tc) + dc[j];
    dp[j] = dcc * g * i * (1 - i);
    dp[H + j] = dcc * c_prev[j] * f * (1 - f);
    dp[2 * H + j] = dcc * i * (1 - g * g);
    dp[3 * H + j] = dh * tc * o * (1 - o);
    dc[j] = dcc * f;
  }
}

class LstmLayerFunction : public torch::autograd::Function<LstmLayerFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x_in, const torch::Tensor& w_ih,
                               const torch::Tensor& w_hh, const torch::Tensor& b_ih, const torch::Tensor& b_hh) {
    const torch::Tensor x = x_in.contiguous();
    const int64_t B = x.size(0), T = x.size(1), D = x.size(2), H = w_hh.size(1), G = 4 * H;
    // The input's share of every gate at every step, in one product: row b*T + t.
    const torch::Tensor xp = at::addmm(b_ih + b_hh, x.view({B * T, D}), w_ih.t());
    torch::Tensor gates = at::empty({T, B, G}, x.options());    // after their nonlinearities
    torch::Tensor cells = at::zeros({T + 1, B, H}, x.options());  // c_{t-1} at t, c_{-1} = 0
    torch::Tensor hidden = at::zeros({T + 1, B, H}, x.options());  // h_{t-1} at t
    torch::Tensor out = at::empty({B, T, H}, x.options());
    torch::Tensor pre = at::empty({B, G}, x.options());
    const torch::Tensor w_hh_t = w_hh.t();
    // Raw pointers below: a tensor view per row would cost more than the row's arithmetic.
    const float* xp_data = xp.data_ptr<float>();
    const float* p_all = pre.data_ptr<float>();
    float* gates_data = gates.data_ptr<float>();
    float* cells_data = cells.data_ptr<float>();
    float* hidden_data = hidden.data_ptr<float>();
    for (int64_t t = 0; t < T; ++t) {
      at::mm_out(pre, hidden[t], w_hh_t);
      for (int64_t b = 0; b < B; ++b) {
        const float* p = p_all + b * G;
        const float* in = xp_data + (b * T + t) * G;
        float* a = gates_data + (t * B + b) * G;
        const float* c_prev = cells_data + (t * B + b) * H;
        float* c = cells_data + ((t + 1) * B + b) * H;
        float* h = hidden_data + ((t + 1) * B + b) * H;
        cell_forward(p, in, c_prev, a, c, h, static_cast<int>(H));
      }
    }
    // The output is every step's h, batch first.
    out.copy_(hidden.narrow(0, 1, T).transpose(0, 1));
    ctx->save_for_backward({x, w_ih, w_hh, gates, cells, hidden});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &w_ih = saved[1], &w_hh = saved[2], &gates = saved[3], &cells = saved[4],
                        &hidden = saved[5];
    const torch::Tensor grad_out = grad_outputs[0].contiguous();
    const int64_t B = x.size(0), T = x.size(1), D = x.size(2), H = w_hh.size(1), G = 4 * H;
    torch::Tensor d_pre = at::empty({T, B, G}, x.options());
    torch::Tensor dh_next = at::zeros({B, H}, x.options());
    torch::Tensor dc_next = at::zeros({B, H}, x.options());
    const float* go = grad_out.data_ptr<float>();
    const float* gates_data = gates.data_ptr<float>();
    const float* cells_data = cells.data_ptr<float>();
    float* d_pre_data = d_pre.data_ptr<float>();
    float* dhn = dh_next.data_ptr<float>();
    float* dcn = dc_next.data_ptr<float>();
    for (int64_t t = T - 1; t >= 0; --t) {
      for (int64_t b = 0; b < B; ++b) {
        const float* a = gates_data + (t * B + b) * G;
        const float* c_prev = cells_data + (t * B + b) * H;
        const float* c = cells_data + ((t + 1) * B + b) * H;
        const float* g_out = go + (b * T + t) * H;
        float* dp = d_pre_data + (t * B + b) * G;
        cell_backward(a, c_prev, c, g_out, dhn + b * H, dcn + b * H, dp, static_cast<int>(H));
      }
      if (t > 0) at::mm_out(dh_next, d_pre[t], w_hh);
    }
    // The products over all steps at once.
    const torch::Tensor d_pre_rows = d_pre.view({T * B, G});
    const torch::Tensor d_w_hh = at::mm(d_pre_rows.t(), hidden.narrow(0, 0, T).reshape({T * B, H}));
    const torch::Tensor d_xp = d_pre.transpose(0, 1).contiguous().view({B * T, G});  // row b*T + t, as xp
    const torch::Tensor d_w_ih = at::mm(d_xp.t(), x.view({B * T, D}));
    const torch::Tensor d_bias = d_xp.sum(0);
    torch::Tensor d_x;
    if (ctx->needs_input_grad(0)) d_x = at::mm(d_xp, w_ih).view({B, T, D});
    return {d_x, d_w_ih, d_w_hh, d_bias, d_bias.clone()};
  }
};

}  // namespace

torch::Tensor fused_lstm_layer(const torch::Tensor& x, const torch::Tensor& weight_ih, const torch::Tensor& weight_hh,
                               const torch::Tensor& bias_ih, const torch::Tensor& bias_hh) {
  return LstmLayerFunction::apply(x, weight_ih, weight_hh, bias_ih, bias_hh);
}

FusedLstmImpl::FusedLstmImpl(int64_t input_size, int64_t hidden_size, int64_t layers, double dropout)
    : hidden_(hidden_size), dropout_(dropout) {
  // torch::nn::LSTM's initialization: every weight and bias uniform in +-1/sqrt(hidden_size).
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  for (int64_t l = 0; l < layers; ++l) {
    const std::string k = "_l" + std::to_string(l);
    const int64_t in = l == 0 ? input_size : hidden_size;
    weight_ih_.push_back(register_parameter("weight_ih" + k, torch::empty({4 * hidden_size, in})));
    weight_hh_.push_back(register_parameter("weight_hh" + k, torch::empty({4 * hidden_size, hidden_size})));
    bias_ih_.push_back(register_parameter("bias_ih" + k, torch::empty({4 * hidden_size})));
    bias_hh_.push_back(register_parameter("bias_hh" + k, torch::empty({4 * hidden_size})));
  }
  torch::NoGradGuard no_grad;
  for (auto& p : parameters()) p.uniform_(-bound, bound);
}

torch::Tensor FusedLstmImpl::forward(const torch::Tensor& x) {
  torch::Tensor out = x;
  for (std::size_t l = 0; l < weight_ih_.size(); ++l) {
    if (l > 0) out = dropout_(out, is_training());
    out = fused_lstm_layer(out, weight_ih_[l], weight_hh_[l], bias_ih_[l], bias_hh_[l]);
  }
  return out;
}

}  // namespace ksauth::neural
