#pragma once
// A weighted CART classification tree (Gini impurity), the base learner of AdaBoost.
//
// Growth is level-wise over features presorted once (SortedFeatures, shared by all the rounds of AdaBoost):
// at each depth, one pass per feature over its sorted order routes every row to its current node and updates
// that node's running left class weights; the weighted Gini gain of the split "before this row" follows in
// O(1) from the sums of squared class weights kept on each side. Features are scanned on several threads;
// the tree does not depend on their number.
//
// Thresholds are midpoints between distinct consecutive values; a row goes left when x[feature] <= threshold.
// The fit is deterministic: among equal gains the lowest feature index wins, then the lowest threshold (gains
// within 2^-44 of the node's weight of each other count as equal, so that ties in exact arithmetic are not
// decided by rounding).
// Leaves hold the weighted class distribution; their arg-max (lowest class on ties) is the prediction.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/binary_io.hpp"
#include "core/matrix.hpp"

namespace ksauth::models {

// The training matrix sorted once per feature. A tree fits from it; AdaBoost builds it once and reuses it
// in every round, since only the sample weights change between rounds.
class SortedFeatures {
 public:
  // Throws Error(invalid_input) for an empty matrix or a value that is not finite.
  explicit SortedFeatures(const Matrix& x);

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  double value(std::size_t row, std::size_t feature) const { return columns_[feature * rows_ + row]; }
  // Row indices by ascending value of the feature (equal values: lower row first), and those values.
  std::span<const std::int32_t> order(std::size_t feature) const {
    return {order_.data() + feature * rows_, rows_};
  }
  std::span<const double> sorted_values(std::size_t feature) const {
    return {sorted_.data() + feature * rows_, rows_};
  }

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<double> columns_;      // column-major copy of x
  std::vector<std::int32_t> order_;  // per feature, rows_ row indices
  std::vector<double> sorted_;       // per feature, the values in that order
};

class CartTree {
 public:
  struct Node {
    std::int32_t feature = -1;  // -1 for a leaf
    double threshold = 0;       // x[feature] <= threshold goes to `left`
    std::int32_t left = -1;
    std::int32_t right = -1;
    // Leaves only: the predicted class and the non-zero entries of the class distribution.
    std::int32_t predicted = -1;
    std::uint32_t entries_begin = 0;
    std::uint32_t entries_count = 0;

    bool is_leaf() const { return feature < 0; }
  };
  struct ClassWeight {
    std::int32_t cls = 0;
    double weight = 0;  // share of the leaf's training weight; a leaf's entries sum to 1
  };

  // x: one row per sample; y: class in [0, n_classes); sample_weight >= 0, finite, not all zero.
  // max_depth >= 0 (0: the root is a leaf), min_samples_leaf >= 1 (counts samples, not weight).
  // Throws Error(invalid_input) on inconsistent arguments.
  void fit(const Matrix& x, std::span<const int> y, std::span<const double> sample_weight, int n_classes,
           int max_depth, int min_samples_leaf = 1);
  // The same over presorted features. When `fitted` is given it receives the class the tree predicts for
  // each training row (read from the leaf each row ends in, with no second pass over the tree).
  void fit(const SortedFeatures& x, std::span<const int> y, std::span<const double> sample_weight,
           int n_classes, int max_depth, int min_samples_leaf = 1, std::vector<int>* fitted = nullptr);

  // The arg-max class for one row (row.size() must be n_features(); not checked here: callers check widths).
  int predict(std::span<const double> row) const {
    std::size_t i = 0;
    while (flat_[i].feature >= 0) i = flat_[i].child(row);
    return flat_[i].next;
  }
  std::vector<int> predict(const Matrix& x) const;  // throws Error(invalid_input) on a width mismatch
  // out[t] = trees[t].predict(row) for every tree. The trees are walked several at a time, in step, so that
  // their memory reads overlap: a row through hundreds of trees that do not fit in cache waits on memory,
  // and one tree at a time it waits for each read in turn.
  static void predict_each(std::span<const CartTree> trees, std::span<const double> row, std::span<int> out);
  std::vector<double> predict_distribution(std::span<const double> row) const;
  std::size_t leaf_index(std::span<const double> row) const;

  // Threads a fit uses to scan features (0, the default: one per core, at most 8, and one for small data).
  // The tree is the same whatever the number.
  void set_threads(int threads) { threads_ = threads; }

  std::size_t n_features() const { return n_features_; }
  int n_classes() const { return n_classes_; }
  bool fitted() const { return !nodes_.empty(); }
  // Nodes in breadth-first order: node 0 is the root, children always come after their parent.
  const std::vector<Node>& nodes() const { return nodes_; }
  std::span<const ClassWeight> leaf_entries(std::size_t node) const;
  std::vector<double> leaf_distribution(std::size_t node) const;  // dense, n_classes values
  int depth() const;

  void save(BinaryWriter& out) const;
  // Checks every index (children in range and after their parent, each node with one parent, feature <
  // n_features, class < n_classes) and every number; throws Error(corrupt) on anything inconsistent.
  void load(BinaryReader& in);

  bool operator==(const CartTree& other) const;

 private:
  void make_leaf(std::int32_t node, std::span<const double> class_weights,
                 std::span<const std::int32_t> counts);
  void build_flat();

  // The nodes again for predict(), in 16 bytes each rather than 40 and with each node's children side by
  // side, so that a model's trees take less cache: AdaBoost runs a row through hundreds of them.
  struct FlatNode {
    double threshold = 0;
    std::int32_t feature = -1;  // -1: a leaf
    std::int32_t next = 0;      // a split: the left child (the right one follows it); a leaf: its class

    // A split's child that `row` goes to. NaN is not <= anything: it goes right, as in leaf_index.
    std::size_t child(std::span<const double> row) const {
      return static_cast<std::size_t>(next) + !(row[static_cast<std::size_t>(feature)] <= threshold);
    }
  };
  std::vector<FlatNode> flat_;

  std::size_t n_features_ = 0;
  int n_classes_ = 0;
  std::vector<Node> nodes_;
  std::vector<ClassWeight> entries_;
  int threads_ = 0;
};

}  // namespace ksauth::models
