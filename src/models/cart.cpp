#include "models/cart.hpp"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>

#include "core/error.hpp"

namespace ksauth::models {
namespace {

constexpr std::size_t kMaxRows = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());

[[noreturn]] void bad_input(const std::string& what) {
  throw Error(ErrorKind::invalid_input, "tree: " + what);
}
[[noreturn]] void corrupt(const std::string& what) {
  throw Error(ErrorKind::corrupt, "tree: " + what);
}

// A threshold t with a <= t < b for a < b: the midpoint, or a when the midpoint rounds to b (adjacent
// doubles). Halves are added so that no finite pair overflows.
double midpoint(double a, double b) {
  const double mid = a / 2 + b / 2;
  return (mid >= a && mid < b) ? mid : a;
}

// A side's term S/W of the split score, where S is the sum of its squared class weights and W its weight.
// The right side's S and W are the node's totals minus running sums, so when the right side holds a tiny
// share of the weight (boosting weights span hundreds of orders of magnitude) both are mostly rounding
// error, and their ratio could be anything. Since S/W <= W always holds for true values (sum of squares <=
// square of sum), the term is clamped to [0, W]: rounding noise then adds at most its own size to a
// score, instead of making a worthless split look best.
inline double side_score(double squares, double weight) {
  if (!(weight > 0)) return 0.0;
  return std::min(std::max(squares, 0.0) / weight, weight);
}

struct Best {
  std::int64_t score = -1;  // the split score quantized (see Scanner::run)
  std::int32_t feature = -1;
  double threshold = 0;
};

double quantum_for(double weight) {
  const double quantum = std::ldexp(1 / weight, 44);
  return std::isfinite(quantum) ? quantum
                                : std::ldexp(1.0, 1000);  // a node of denormal weight: any grid will do
}

// A node about to be split: its total weight, sum of squared class weights and row count, and the factor
// that maps its split scores (in [0, weight]) onto the integers [0, 2^44].
struct NodeStat {
  double weight = 0;
  double squares = 0;
  std::int32_t count = 0;
  double quantum = 0;
};

// What a pass needs of a row, packed: the active node it is in at this depth (-1 once it rests in a leaf),
// that node's cell for the row's class (node * n_classes + class), and its weight.
struct Sample {
  std::int32_t slot = -1;
  std::int32_t cell = 0;
  double weight = 0;
};

// Running state of one node during one feature's pass.
struct Scan {
  double left_weight = 0;
  double left_squares = 0;   // sum over classes of (left class weight)^2
  double right_squares = 0;  // the same on the right
  double last = 0;           // value of the last row added to the left
  std::int32_t left_count = 0;
};

struct ScanInput {
  const SortedFeatures& x;
  const std::vector<Sample>& samples;
  const std::vector<NodeStat>& stats;  // per active node
  const std::vector<double>& totals;   // per active node, n_classes class weights
  std::int32_t min_samples_leaf;
};

// One thread's share of a depth: the best split of every active node over the features first, first + step...
struct Scanner {
  std::vector<double> left;  // per active node, n_classes running left class weights
  std::vector<Scan> scan;
  std::vector<Best> best;

  void prepare(std::size_t n_active, std::size_t n_classes) {
    left.resize(n_active * n_classes);
    scan.resize(n_active);
    best.assign(n_active, Best{});
  }

  // One pass per feature over all the rows in the feature's sorted order: each row updates the running
  // state of its node, and the split "before this row" of that node is scored first in O(1).
  void run(const ScanInput& in, std::size_t first, std::size_t step) {
    const std::size_t n = in.x.rows();
    const std::int32_t min_leaf = in.min_samples_leaf;
    for (std::size_t f = first; f < in.x.cols(); f += step) {
      std::fill(left.begin(), left.end(), 0.0);
      for (std::size_t a = 0; a < scan.size(); ++a) scan[a] = Scan{0, 0, in.stats[a].squares, 0, 0};
      const std::int32_t* order = in.x.order(f).data();
      const double* values = in.x.sorted_values(f).data();
      for (std::size_t p = 0; p < n; ++p) {
        const Sample& sample = in.samples[static_cast<std::size_t>(order[p])];
        if (sample.slot < 0) continue;
        const auto a = static_cast<std::size_t>(sample.slot);
        Scan& st = scan[a];
        const NodeStat& node = in.stats[a];
        const double v = values[p];
        if (st.left_count >= min_leaf && v > st.last && node.count - st.left_count >= min_leaf) {
          // Weighted Gini: impurity(L)*W_L + impurity(R)*W_R = W - (S_L/W_L + S_R/W_R), so the split with
          // the largest S_L/W_L + S_R/W_R has the largest gain. Scores are compared on a grid of 2^-44 of the
          // node's weight, so that splits equally good but for rounding (a tie in exact arithmetic) really
          // tie, and the lowest threshold (here: strictly larger only) and the lowest feature (in the merge)
          // win.
          const double exact = side_score(st.left_squares, st.left_weight) +
                               side_score(st.right_squares, node.weight - st.left_weight);
          const double scaled = exact * node.quantum;  // in [0, 2^44] but for rounding
          const auto score = static_cast<std::int64_t>(scaled >= 0 && scaled < 0x1p60 ? scaled : 0.0);
          Best& b = best[a];
          if (score > b.score) {
            b.score = score;
            b.feature = static_cast<std::int32_t>(f);
            b.threshold = midpoint(st.last, v);
          }
        }
        const auto c = static_cast<std::size_t>(sample.cell);
        const double w = sample.weight;
        const double l = left[c];
        const double r = in.totals[c] - l;
        st.left_squares += w * (2 * l + w);
        st.right_squares -= w * (2 * r - w);
        left[c] = l + w;
        st.left_weight += w;
        ++st.left_count;
        st.last = v;
      }
    }
  }
};

std::size_t default_threads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return std::clamp<std::size_t>(hw == 0 ? 1 : hw, 1, 8);
}

// n - 1 threads kept for one fit (a tree has a few parallel steps per depth): run(task) calls task(t) for
// every t in [0, n), t = 0 on the calling thread, and returns when all are done. Tasks must not throw.
class Workers {
 public:
  explicit Workers(std::size_t n) : n_(n) {
    for (std::size_t t = 1; t < n; ++t) threads_.emplace_back([this, t] { work(t); });
  }
  ~Workers() {
    {
      const std::lock_guard lock(mutex_);
      stop_ = true;
    }
    start_.notify_all();
  }  // the jthreads join
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  std::size_t size() const { return n_; }

  void run(const std::function<void(std::size_t)>& task) {
    if (n_ > 1) {
      {
        const std::lock_guard lock(mutex_);
        task_ = &task;
        pending_ = n_ - 1;
        ++generation_;
      }
      start_.notify_all();
    }
    task(0);
    if (n_ > 1) {
      std::unique_lock lock(mutex_);
      done_.wait(lock, [this] { return pending_ == 0; });
    }
  }

 private:
  void work(std::size_t t) {
    std::uint64_t seen = 0;
    std::unique_lock lock(mutex_);
    for (;;) {
      start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      const auto* task = task_;
      lock.unlock();
      (*task)(t);
      lock.lock();
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::size_t n_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(std::size_t)>* task_ = nullptr;
  std::size_t pending_ = 0;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
  std::vector<std::jthread> threads_;  // last: joined first, while the members above still exist
};

}  // namespace

SortedFeatures::SortedFeatures(const Matrix& x) : rows_(x.rows()), cols_(x.cols()) {
  if (rows_ == 0 || cols_ == 0) bad_input("no training rows or no features");
  if (rows_ > kMaxRows) bad_input("too many rows");
  columns_.resize(rows_ * cols_);
  for (std::size_t r = 0; r < rows_; ++r) {
    for (std::size_t f = 0; f < cols_; ++f) {
      const double v = x(r, f);
      if (!std::isfinite(v))
        bad_input("row " + std::to_string(r) + ", feature " + std::to_string(f) + ": value is not finite");
      columns_[f * rows_ + r] = v;
    }
  }
  order_.resize(rows_ * cols_);
  sorted_.resize(rows_ * cols_);
  for (std::size_t f = 0; f < cols_; ++f) {
    const double* col = columns_.data() + f * rows_;
    std::int32_t* ord = order_.data() + f * rows_;
    std::iota(ord, ord + rows_, 0);
    std::sort(ord, ord + rows_, [col](std::int32_t a, std::int32_t b) {
      return col[a] < col[b] || (col[a] == col[b] && a < b);
    });
    for (std::size_t p = 0; p < rows_; ++p) sorted_[f * rows_ + p] = col[ord[p]];
  }
}

void CartTree::fit(const Matrix& x, std::span<const int> y, std::span<const double> sample_weight,
                   int n_classes, int max_depth, int min_samples_leaf) {
  fit(SortedFeatures(x), y, sample_weight, n_classes, max_depth, min_samples_leaf);
}

void CartTree::fit(const SortedFeatures& x, std::span<const int> y, std::span<const double> sample_weight,
                   int n_classes, int max_depth, int min_samples_leaf, std::vector<int>* fitted) {
  const std::size_t n = x.rows();
  const std::size_t n_features = x.cols();
  if (y.size() != n) bad_input("the number of labels differs from the number of rows");
  if (sample_weight.size() != n) bad_input("the number of sample weights differs from the number of rows");
  if (n_classes < 1) bad_input("the number of classes must be at least 1");
  if (max_depth < 0) bad_input("max_depth must be at least 0");
  if (min_samples_leaf < 1) bad_input("min_samples_leaf must be at least 1");
  double weight_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (y[i] < 0 || y[i] >= n_classes) bad_input("row " + std::to_string(i) + ": class out of range");
    if (!std::isfinite(sample_weight[i]) || sample_weight[i] < 0)
      bad_input("row " + std::to_string(i) + ": sample weight must be finite and non-negative");
    weight_sum += sample_weight[i];
  }
  if (!(weight_sum > 0) || !std::isfinite(weight_sum)) bad_input("the sample weights sum to zero");

  const std::size_t k = static_cast<std::size_t>(n_classes);
  CartTree tree;
  tree.threads_ = threads_;
  tree.n_features_ = n_features;
  tree.n_classes_ = n_classes;

  // The nodes of the current depth, by slot: node ids, class weights and class counts.
  std::vector<std::int32_t> level_nodes{0};
  std::vector<double> totals(k, 0.0);
  std::vector<std::int32_t> counts(k, 0);
  tree.nodes_.emplace_back();
  for (std::size_t i = 0; i < n; ++i) {
    totals[static_cast<std::size_t>(y[i])] += sample_weight[i];
    ++counts[static_cast<std::size_t>(y[i])];
  }

  // Per row: the slot of its node at the current depth (-1 once it rests in a leaf), and that leaf.
  std::vector<std::int32_t> slot(n, 0);
  std::vector<std::int32_t> leaf_of(n, 0);
  std::vector<Sample> samples(n);

  const std::size_t n_threads = std::clamp<std::size_t>(
      threads_ > 0 ? static_cast<std::size_t>(threads_) : (n * n_features >= 20000 ? default_threads() : 1),
      1, n_features);
  std::vector<Scanner> scanners(n_threads);
  Workers workers(n_threads);

  for (int depth = 0; !level_nodes.empty(); ++depth) {
    const std::size_t n_level = level_nodes.size();
    // Decide which nodes of this depth may split; the others become leaves now.
    std::vector<std::int32_t> active(n_level, -1);  // level slot -> active index, or -1 for a new leaf
    std::vector<std::size_t> active_level;          // active index -> level slot
    std::vector<NodeStat> stats;
    for (std::size_t s = 0; s < n_level; ++s) {
      const std::span<const double> cw(totals.data() + s * k, k);
      const std::span<const std::int32_t> cc(counts.data() + s * k, k);
      NodeStat st;
      int positive_classes = 0;
      for (std::size_t j = 0; j < k; ++j) {
        st.weight += cw[j];
        st.squares += cw[j] * cw[j];
        st.count += cc[j];
        if (cw[j] > 0) ++positive_classes;
      }
      if (depth < max_depth && positive_classes >= 2 && st.count >= 2 * min_samples_leaf) {
        st.quantum = quantum_for(st.weight);
        active[s] = static_cast<std::int32_t>(active_level.size());
        active_level.push_back(s);
        stats.push_back(st);
      } else {
        tree.make_leaf(level_nodes[s], cw, cc);
      }
    }
    const std::size_t n_active = active_level.size();
    if (n_active * k > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
      bad_input("too many classes times nodes");
    for (std::size_t i = 0; i < n; ++i) {
      if (slot[i] < 0) continue;
      const std::int32_t a = active[static_cast<std::size_t>(slot[i])];
      if (a < 0) leaf_of[i] = level_nodes[static_cast<std::size_t>(slot[i])];
      slot[i] = a;
      samples[i] = {a, a < 0 ? 0 : a * static_cast<std::int32_t>(k) + y[i], sample_weight[i]};
    }
    if (n_active == 0) break;

    // Active nodes' class weights, contiguous by active index.
    std::vector<double> active_totals(n_active * k);
    for (std::size_t a = 0; a < n_active; ++a)
      std::copy_n(totals.data() + active_level[a] * k, k, active_totals.data() + a * k);

    // The best split of every active node: features dealt to the threads in turn. Merging by (score, then
    // lowest feature) gives the same tree for any number of threads.
    const ScanInput input{x, samples, stats, active_totals, min_samples_leaf};
    for (Scanner& scanner : scanners) scanner.prepare(n_active, k);
    workers.run([&](std::size_t t) { scanners[t].run(input, t, n_threads); });
    std::vector<Best>& best = scanners[0].best;
    for (std::size_t t = 1; t < n_threads; ++t) {
      for (std::size_t a = 0; a < n_active; ++a) {
        const Best& b = scanners[t].best[a];
        if (b.feature >= 0 &&
            (b.score > best[a].score || (b.score == best[a].score && b.feature < best[a].feature)))
          best[a] = b;
      }
    }

    // Split the nodes that found a split; a node whose features are all constant becomes a leaf.
    std::vector<std::int32_t> child_slot(n_active, -1);  // active index -> slot of its left child
    std::vector<std::int32_t> next_nodes;
    for (std::size_t a = 0; a < n_active; ++a) {
      const std::size_t s = active_level[a];
      const std::int32_t id = level_nodes[s];
      if (best[a].feature < 0) {
        tree.make_leaf(id, std::span<const double>(totals.data() + s * k, k),
                       std::span<const std::int32_t>(counts.data() + s * k, k));
        continue;
      }
      child_slot[a] = static_cast<std::int32_t>(next_nodes.size());
      const auto left_id = static_cast<std::int32_t>(tree.nodes_.size());
      Node& node = tree.nodes_[static_cast<std::size_t>(id)];
      node.feature = best[a].feature;
      node.threshold = best[a].threshold;
      node.left = left_id;
      node.right = left_id + 1;
      tree.nodes_.emplace_back();
      tree.nodes_.emplace_back();
      next_nodes.push_back(left_id);
      next_nodes.push_back(left_id + 1);
    }

    // Route the rows to the next depth and gather their nodes' class weights.
    totals.assign(next_nodes.size() * k, 0.0);
    counts.assign(next_nodes.size() * k, 0);
    for (std::size_t i = 0; i < n; ++i) {
      if (slot[i] < 0) continue;
      const std::size_t a = static_cast<std::size_t>(slot[i]);
      if (child_slot[a] < 0) {
        leaf_of[i] = level_nodes[active_level[a]];
        slot[i] = -1;
        continue;
      }
      const Best& b = best[a];
      const std::int32_t s =
          child_slot[a] + (x.value(i, static_cast<std::size_t>(b.feature)) <= b.threshold ? 0 : 1);
      slot[i] = s;
      const std::size_t c = static_cast<std::size_t>(s) * k + static_cast<std::size_t>(y[i]);
      totals[c] += sample_weight[i];
      ++counts[c];
    }
    level_nodes = std::move(next_nodes);
  }

  if (fitted) {
    fitted->resize(n);
    for (std::size_t i = 0; i < n; ++i)
      (*fitted)[i] = tree.nodes_[static_cast<std::size_t>(leaf_of[i])].predicted;
  }
  tree.build_flat();
  *this = std::move(tree);
}

void CartTree::make_leaf(std::int32_t node, std::span<const double> class_weights,
                         std::span<const std::int32_t> counts) {
  Node& leaf = nodes_[static_cast<std::size_t>(node)];
  leaf.feature = -1;
  leaf.left = leaf.right = -1;
  leaf.entries_begin = static_cast<std::uint32_t>(entries_.size());
  double total = 0;
  for (double w : class_weights) total += w;
  if (total > 0) {
    for (std::size_t c = 0; c < class_weights.size(); ++c) {
      const double share = class_weights[c] / total;
      if (share > 0) entries_.push_back({static_cast<std::int32_t>(c), share});
    }
  } else {
    // Every sample here has weight zero (boosting weights can underflow): fall back to the plain counts.
    std::int64_t n = 0;
    for (std::int32_t c : counts) n += c;
    for (std::size_t c = 0; c < counts.size(); ++c)
      if (counts[c] > 0)
        entries_.push_back(
            {static_cast<std::int32_t>(c), static_cast<double>(counts[c]) / static_cast<double>(n)});
  }
  leaf.entries_count = static_cast<std::uint32_t>(entries_.size() - leaf.entries_begin);
  // Arg-max, lowest class on ties (entries are in ascending class order).
  double top = -1;
  for (const ClassWeight& e : leaf_entries(static_cast<std::size_t>(node))) {
    if (e.weight > top) {
      top = e.weight;
      leaf.predicted = e.cls;
    }
  }
}

std::size_t CartTree::leaf_index(std::span<const double> row) const {
  std::size_t i = 0;
  while (!nodes_[i].is_leaf()) {
    const Node& node = nodes_[i];
    i = static_cast<std::size_t>(row[static_cast<std::size_t>(node.feature)] <= node.threshold ? node.left
                                                                                               : node.right);
  }
  return i;
}

std::vector<int> CartTree::predict(const Matrix& x) const {
  if (!fitted()) bad_input("the tree is not fitted");
  if (x.cols() != n_features_)
    bad_input("expected " + std::to_string(n_features_) + " features, got " + std::to_string(x.cols()));
  std::vector<int> out(x.rows());
  for (std::size_t r = 0; r < x.rows(); ++r) out[r] = predict(x.row(r));
  return out;
}

std::vector<double> CartTree::predict_distribution(std::span<const double> row) const {
  if (!fitted()) bad_input("the tree is not fitted");
  if (row.size() != n_features_)
    bad_input("expected " + std::to_string(n_features_) + " features, got " + std::to_string(row.size()));
  return leaf_distribution(leaf_index(row));
}

std::span<const CartTree::ClassWeight> CartTree::leaf_entries(std::size_t node) const {
  const Node& leaf = nodes_.at(node);
  return {entries_.data() + leaf.entries_begin, leaf.entries_count};
}

std::vector<double> CartTree::leaf_distribution(std::size_t node) const {
  std::vector<double> out(static_cast<std::size_t>(n_classes_), 0.0);
  for (const ClassWeight& e : leaf_entries(node)) out[static_cast<std::size_t>(e.cls)] = e.weight;
  return out;
}

int CartTree::depth() const {
  if (nodes_.empty()) return 0;
  std::vector<int> d(nodes_.size(), 0);
  int deepest = 0;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    deepest = std::max(deepest, d[i]);
    if (!nodes_[i].is_leaf()) {
      d[static_cast<std::size_t>(nodes_[i].left)] = d[i] + 1;
      d[static_cast<std::size_t>(nodes_[i].right)] = d[i] + 1;
    }
  }
  return deepest;
}

// Layout: u32 n_features | u32 n_classes | u64 node count | nodes. A node: u8 kind (0 leaf, 1 split);
// split: u32 feature, f64 threshold, u32 left, u32 right; leaf: u32 entry count, then (u32 class, f64
// weight).
void CartTree::save(BinaryWriter& out) const {
  out.u32(static_cast<std::uint32_t>(n_features_));
  out.u32(static_cast<std::uint32_t>(n_classes_));
  out.u64(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Node& node = nodes_[i];
    if (node.is_leaf()) {
      out.u8(0);
      out.u32(node.entries_count);
      for (const ClassWeight& e : leaf_entries(i)) {
        out.u32(static_cast<std::uint32_t>(e.cls));
        out.f64(e.weight);
      }
    } else {
      out.u8(1);
      out.u32(static_cast<std::uint32_t>(node.feature));
      out.f64(node.threshold);
      out.u32(static_cast<std::uint32_t>(node.left));
      out.u32(static_cast<std::uint32_t>(node.right));
    }
  }
}

void CartTree::load(BinaryReader& in) {
  // Bounds that no fitted tree exceeds and that keep every index an int32.
  constexpr std::uint32_t kMaxFeatures = 1u << 20;
  constexpr std::uint32_t kMaxClasses = 1u << 20;
  CartTree tree;
  tree.threads_ = threads_;
  const std::uint32_t n_features = in.u32();
  const std::uint32_t n_classes = in.u32();
  if (n_features == 0 || n_features > kMaxFeatures)
    corrupt("bad feature count " + std::to_string(n_features));
  if (n_classes == 0 || n_classes > kMaxClasses) corrupt("bad class count " + std::to_string(n_classes));
  tree.n_features_ = n_features;
  tree.n_classes_ = static_cast<int>(n_classes);
  const std::size_t n_nodes = in.count(5);  // the smallest node: a leaf's kind and entry count
  if (n_nodes == 0) corrupt("no nodes");
  if (n_nodes > kMaxRows) corrupt("too many nodes");
  tree.nodes_.resize(n_nodes);
  std::vector<std::uint8_t> has_parent(n_nodes, 0);
  for (std::size_t i = 0; i < n_nodes; ++i) {
    Node& node = tree.nodes_[i];
    const std::uint8_t kind = in.u8();
    if (kind == 1) {
      const std::uint32_t feature = in.u32();
      const double threshold = in.f64();
      const std::uint32_t l = in.u32();
      const std::uint32_t r = in.u32();
      const std::string where = "node " + std::to_string(i) + ": ";
      if (feature >= n_features) corrupt(where + "feature index out of range");
      if (!std::isfinite(threshold)) corrupt(where + "threshold is not finite");
      if (l <= i || r <= i || l >= n_nodes || r >= n_nodes || l == r)
        corrupt(where + "child index out of range or not after its parent");
      if (has_parent[l] || has_parent[r]) corrupt(where + "a child has two parents");
      has_parent[l] = has_parent[r] = 1;
      node.feature = static_cast<std::int32_t>(feature);
      node.threshold = threshold;
      node.left = static_cast<std::int32_t>(l);
      node.right = static_cast<std::int32_t>(r);
    } else if (kind == 0) {
      const std::uint32_t n_entries = in.u32();
      const std::string where = "leaf " + std::to_string(i) + ": ";
      if (n_entries == 0 || n_entries > n_classes) corrupt(where + "bad class entry count");
      if (static_cast<std::uint64_t>(n_entries) * 12 > in.remaining()) corrupt(where + "truncated");
      node.entries_begin = static_cast<std::uint32_t>(tree.entries_.size());
      node.entries_count = n_entries;
      double sum = 0, top = -1;
      std::int64_t previous = -1;
      for (std::uint32_t e = 0; e < n_entries; ++e) {
        const std::uint32_t cls = in.u32();
        const double w = in.f64();
        if (cls >= n_classes) corrupt(where + "class index out of range");
        if (static_cast<std::int64_t>(cls) <= previous) corrupt(where + "classes not in ascending order");
        if (!std::isfinite(w) || w <= 0 || w > 1) corrupt(where + "class weight out of range");
        previous = cls;
        sum += w;
        if (w > top) {
          top = w;
          node.predicted = static_cast<std::int32_t>(cls);
        }
        tree.entries_.push_back({static_cast<std::int32_t>(cls), w});
      }
      if (std::abs(sum - 1) > 1e-9) corrupt(where + "class weights do not sum to 1");
    } else {
      corrupt("node " + std::to_string(i) + ": unknown node kind");
    }
  }
  // Forward-pointing children with one parent each and node 0 as the root: every other node must be reached.
  for (std::size_t i = 1; i < n_nodes; ++i)
    if (!has_parent[i]) corrupt("node " + std::to_string(i) + " is not reachable from the root");
  tree.build_flat();
  *this = std::move(tree);
}

void CartTree::predict_each(std::span<const CartTree> trees, std::span<const double> row, std::span<int> out) {
  constexpr std::size_t kInStep = 8;
  std::size_t t = 0;
  for (; t + kInStep <= trees.size(); t += kInStep) {
    const FlatNode* nodes[kInStep];
    std::size_t at[kInStep] = {};
    for (std::size_t j = 0; j < kInStep; ++j) nodes[j] = trees[t + j].flat_.data();
    bool moving = true;
    while (moving) {
      moving = false;
      for (std::size_t j = 0; j < kInStep; ++j) {
        const FlatNode& node = nodes[j][at[j]];
        if (node.feature < 0) continue;
        at[j] = node.child(row);
        moving = true;
      }
    }
    for (std::size_t j = 0; j < kInStep; ++j) out[t + j] = nodes[j][at[j]].next;
  }
  for (; t < trees.size(); ++t) out[t] = trees[t].predict(row);
}

void CartTree::build_flat() {
  // Breadth first from the root, each node's two children placed together as they are met.
  flat_.assign(nodes_.size(), FlatNode{});
  std::vector<std::size_t> source{0};  // flat index -> node index
  source.reserve(nodes_.size());
  for (std::size_t f = 0; f < source.size(); ++f) {
    const Node& node = nodes_[source[f]];
    if (node.is_leaf()) {
      flat_[f] = {0, -1, node.predicted};
      continue;
    }
    flat_[f] = {node.threshold, node.feature, static_cast<std::int32_t>(source.size())};
    source.push_back(static_cast<std::size_t>(node.left));
    source.push_back(static_cast<std::size_t>(node.right));
  }
}

bool CartTree::operator==(const CartTree& other) const {
  if (n_features_ != other.n_features_ || n_classes_ != other.n_classes_ ||
      nodes_.size() != other.nodes_.size())
    return false;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Node& a = nodes_[i];
    const Node& b = other.nodes_[i];
    if (a.feature != b.feature || a.left != b.left || a.right != b.right || a.predicted != b.predicted)
      return false;
    if (a.is_leaf()) {
      const auto ea = leaf_entries(i);
      const auto eb = other.leaf_entries(i);
      if (!std::equal(ea.begin(), ea.end(), eb.begin(), eb.end(),
                      [](const ClassWeight& p, const ClassWeight& q) {
                        return p.cls == q.cls && p.weight == q.weight;
                      }))
        return false;
    } else if (a.threshold != b.threshold) {
      return false;
    }
  }
  return true;
}

}  // namespace ksauth::models
