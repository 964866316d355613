#include "models/cart.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <random>

#include "core/error.hpp"
#include "unit/models/toy_data.hpp"

namespace ksauth::models {
namespace {

using testing::blobs;
using testing::column;
using testing::matrix;

std::vector<double> ones(std::size_t n) {
  return std::vector<double>(n, 1.0);
}

TEST(Cart, PerfectSplitOnTheSeparatingFeature) {
  // Feature 0 separates the classes at 3.5; feature 1 does not separate them.
  const Matrix x = matrix({{1, 5}, {2, 3}, {3, 6}, {4, 1}, {5, 2}, {6, 4}});
  const std::vector<int> y{0, 0, 0, 1, 1, 1};
  CartTree tree;
  tree.fit(x, y, ones(6), 2, 5);
  ASSERT_EQ(tree.nodes().size(), 3u);  // pure children stop although max_depth allows more
  const auto& root = tree.nodes()[0];
  EXPECT_EQ(root.feature, 0);
  EXPECT_DOUBLE_EQ(root.threshold, 3.5);
  EXPECT_EQ(tree.leaf_distribution(static_cast<std::size_t>(root.left)), (std::vector<double>{1, 0}));
  EXPECT_EQ(tree.leaf_distribution(static_cast<std::size_t>(root.right)), (std::vector<double>{0, 1}));
  EXPECT_EQ(tree.predict(x), y);
  EXPECT_EQ(tree.depth(), 1);
}

TEST(Cart, BestImperfectSplitByHand) {
  // x = 1..5, y = 0 0 1 0 1. Weighted Gini (W * impurity) summed over the sides, per threshold:
  //   1.5: 0 + 4*(1 - 1/4 - 1/4) = 2;   2.5: 0 + 3*(1 - 1/9 - 4/9) = 4/3;
  //   3.5: 4/3 + 2*(1/2) = 7/3;           4.5: 4*(1 - 9/16 - 1/16) + 0 = 3/2.   Best: 2.5.
  const Matrix x = column({1, 2, 3, 4, 5});
  const std::vector<int> y{0, 0, 1, 0, 1};
  CartTree tree;
  tree.fit(x, y, ones(5), 2, 1);
  ASSERT_EQ(tree.nodes().size(), 3u);
  EXPECT_EQ(tree.nodes()[0].feature, 0);
  EXPECT_DOUBLE_EQ(tree.nodes()[0].threshold, 2.5);
  EXPECT_EQ(tree.leaf_distribution(1), (std::vector<double>{1, 0}));
  const auto right = tree.leaf_distribution(2);
  EXPECT_DOUBLE_EQ(right[0], 1.0 / 3);
  EXPECT_DOUBLE_EQ(right[1], 2.0 / 3);
  EXPECT_EQ(tree.nodes()[2].predicted, 1);
}

TEST(Cart, SampleWeightsMoveTheSplit) {
  // The same data with weights 1 1 1 1 3 (class weights 3 and 4). Per threshold, W - S/W summed over sides:
  //   1.5: 0 + (6 - 20/6) = 2.667;  2.5: 0 + (5 - 17/5) = 1.6;
  //   3.5: (3 - 5/3) + (4 - 10/4) = 2.833;  4.5: (4 - 10/4) + 0 = 1.5.   Best: 4.5.
  const Matrix x = column({1, 2, 3, 4, 5});
  const std::vector<int> y{0, 0, 1, 0, 1};
  CartTree tree;
  tree.fit(x, y, std::vector<double>{1, 1, 1, 1, 3}, 2, 1);
  ASSERT_EQ(tree.nodes().size(), 3u);
  EXPECT_DOUBLE_EQ(tree.nodes()[0].threshold, 4.5);
  EXPECT_EQ(tree.leaf_distribution(1), (std::vector<double>{0.75, 0.25}));
  EXPECT_EQ(tree.leaf_distribution(2), (std::vector<double>{0, 1}));
  EXPECT_EQ(tree.nodes()[1].predicted, 0);
}

TEST(Cart, TiesGoToTheLowestFeatureThenTheLowestThreshold) {
  // y = 0 1 1 0 over x = 1..4: thresholds 1.5 and 3.5 both leave 4/3 of impurity (2.5 leaves 2).
  CartTree tree;
  tree.fit(column({1, 2, 3, 4}), std::vector<int>{0, 1, 1, 0}, ones(4), 2, 1);
  EXPECT_DOUBLE_EQ(tree.nodes()[0].threshold, 1.5);
  // Two identical features: the first one is used.
  CartTree twins;
  twins.fit(matrix({{1, 1}, {2, 2}, {3, 3}, {4, 4}}), std::vector<int>{0, 0, 1, 1}, ones(4), 2, 1);
  EXPECT_EQ(twins.nodes()[0].feature, 0);
  // A feature that cannot split (constant) is skipped for the next one.
  CartTree constant;
  constant.fit(matrix({{7, 1}, {7, 2}, {7, 3}, {7, 4}}), std::vector<int>{0, 0, 1, 1}, ones(4), 2, 1);
  EXPECT_EQ(constant.nodes()[0].feature, 1);
  EXPECT_DOUBLE_EQ(constant.nodes()[0].threshold, 2.5);
}

TEST(Cart, ThresholdIsTheMidpointAndEqualValuesStayTogether) {
  const Matrix x = column({0.25, 0.25, 0.75, 0.75});
  CartTree tree;
  tree.fit(x, std::vector<int>{0, 1, 1, 1}, ones(4), 2, 3);
  // No threshold may separate the two 0.25 rows: the only candidate is 0.5.
  EXPECT_DOUBLE_EQ(tree.nodes()[0].threshold, 0.5);
  ASSERT_EQ(tree.nodes().size(), 3u);
  EXPECT_EQ(tree.leaf_distribution(1), (std::vector<double>{0.5, 0.5}));
  EXPECT_EQ(tree.nodes()[1].predicted, 0);  // arg-max ties go to the lowest class
}

TEST(Cart, MaxDepthIsRespected) {
  const auto data = blobs(300, 4, 5, 1.5, 7);
  for (int depth : {0, 1, 2, 3, 6}) {
    CartTree tree;
    tree.fit(data.x, data.y, ones(300), 5, depth);
    EXPECT_EQ(tree.depth(), depth) << depth;
  }
  CartTree stump;
  stump.fit(data.x, data.y, ones(300), 5, 0);
  EXPECT_EQ(stump.nodes().size(), 1u);
  // 300 rows of 5 balanced classes: the root leaf holds the class shares.
  EXPECT_EQ(stump.leaf_distribution(0), (std::vector<double>(5, 0.2)));
}

TEST(Cart, MinSamplesLeafIsRespected) {
  const auto data = blobs(200, 3, 4, 2.0, 11);
  CartTree tree;
  tree.fit(data.x, data.y, ones(200), 4, 10, 7);
  std::map<std::size_t, int> per_leaf;
  for (std::size_t r = 0; r < data.x.rows(); ++r) ++per_leaf[tree.leaf_index(data.x.row(r))];
  for (const auto& [leaf, count] : per_leaf) EXPECT_GE(count, 7) << leaf;
}

TEST(Cart, FittedClassesEqualPredictions) {
  const auto data = blobs(400, 5, 6, 1.0, 3);
  const SortedFeatures sorted(data.x);
  CartTree tree;
  std::vector<int> fitted;
  std::vector<double> w(400);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.1, 1.0);
  for (double& v : w) v = u(rng);
  tree.fit(sorted, data.y, w, 6, 6, 1, &fitted);
  EXPECT_EQ(fitted, tree.predict(data.x));
}

TEST(Cart, SameTreeForAnyNumberOfThreads) {
  const auto data = blobs(600, 9, 7, 1.2, 21);
  std::vector<CartTree> trees(4);
  for (int t = 0; t < 4; ++t) {
    trees[static_cast<std::size_t>(t)].set_threads(t + 1);
    trees[static_cast<std::size_t>(t)].fit(data.x, data.y, ones(600), 7, 8);
  }
  for (int t = 1; t < 4; ++t) EXPECT_TRUE(trees[0] == trees[static_cast<std::size_t>(t)]) << t + 1;
  EXPECT_GT(trees[0].nodes().size(), 20u);
}

TEST(Cart, TinyWeightsDoNotProduceWorthlessSplits) {
  // Boosting leaves most weights hundreds of orders of magnitude below a few. A split that peels off only
  // negligible weight (whose side's sums are then mostly rounding error) must not win over the split that
  // separates the weighty rows.
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.01, 1.0);
    std::vector<double> xs, w;
    std::vector<int> y;
    for (int i = 0; i < 4000; ++i) {
      xs.push_back(i);
      const bool weighty = i < 3000;
      // Weighty rows: class 0 below 1500, class 1 from 1500 on (with some class-2 noise); then tiny ones.
      y.push_back(weighty ? (i % 10 == 0 ? 2 : (i < 1500 ? 0 : 1)) : static_cast<int>(rng() % 3));
      const double v = u(rng);
      w.push_back(weighty ? v * v * v * v : 1e-200 * v);
    }
    CartTree tree;
    tree.fit(column(xs), y, w, 3, 1);
    EXPECT_GT(tree.nodes()[0].threshold, 1400) << seed;
    EXPECT_LT(tree.nodes()[0].threshold, 1600) << seed;
  }
}

// A plain recursive reference: every candidate evaluated from scratch.
struct RefNode {
  int feature = -1;
  double threshold = 0;
  std::unique_ptr<RefNode> left, right;
  std::vector<double> dist;
};

std::unique_ptr<RefNode> reference(const Matrix& x, const std::vector<int>& y, const std::vector<double>& w,
                                   int k, std::vector<std::size_t> rows, int depth, int max_depth) {
  auto node = std::make_unique<RefNode>();
  std::vector<double> total(static_cast<std::size_t>(k), 0.0);
  for (std::size_t r : rows) total[static_cast<std::size_t>(y[r])] += w[r];
  const double sum = std::accumulate(total.begin(), total.end(), 0.0);
  const int positive =
      static_cast<int>(std::count_if(total.begin(), total.end(), [](double v) { return v > 0; }));
  double best = -1;
  if (depth < max_depth && positive >= 2 && rows.size() >= 2) {
    for (std::size_t f = 0; f < x.cols(); ++f) {
      std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
        return x(a, f) < x(b, f) || (x(a, f) == x(b, f) && a < b);
      });
      for (std::size_t p = 1; p < rows.size(); ++p) {
        if (!(x(rows[p], f) > x(rows[p - 1], f))) continue;
        std::vector<double> l(static_cast<std::size_t>(k), 0.0);
        for (std::size_t q = 0; q < p; ++q) l[static_cast<std::size_t>(y[rows[q]])] += w[rows[q]];
        double wl = 0, sl = 0, wr = 0, sr = 0;
        for (std::size_t c = 0; c < l.size(); ++c) {
          const double r = total[c] - l[c];
          wl += l[c], sl += l[c] * l[c], wr += r, sr += r * r;
        }
        const double score = sl / wl + sr / wr;
        if (score > best) {
          best = score;
          node->feature = static_cast<int>(f);
          node->threshold = (x(rows[p - 1], f) + x(rows[p], f)) / 2;
        }
      }
    }
  }
  if (node->feature < 0) {
    for (double v : total) node->dist.push_back(v / sum);
    return node;
  }
  std::vector<std::size_t> l, r;
  for (std::size_t row : rows)
    (x(row, static_cast<std::size_t>(node->feature)) <= node->threshold ? l : r).push_back(row);
  node->left = reference(x, y, w, k, l, depth + 1, max_depth);
  node->right = reference(x, y, w, k, r, depth + 1, max_depth);
  return node;
}

const RefNode& reference_leaf(const RefNode& node, std::span<const double> row) {
  if (node.feature < 0) return node;
  return reference_leaf(
      row[static_cast<std::size_t>(node.feature)] <= node.threshold ? *node.left : *node.right, row);
}

TEST(Cart, AgreesWithAPlainReferenceOnRandomWeightedData) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const auto data = blobs(150, 4, 4, 1.3, seed);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.05, 1.0);
    std::vector<double> w(150);
    for (double& v : w) v = u(rng);
    CartTree tree;
    tree.fit(data.x, data.y, w, 4, 5);
    std::vector<std::size_t> all(150);
    std::iota(all.begin(), all.end(), 0);
    const auto ref = reference(data.x, data.y, w, 4, all, 0, 5);
    EXPECT_EQ(tree.nodes()[0].feature, ref->feature);
    EXPECT_EQ(tree.nodes()[0].threshold, ref->threshold);
    // The same partition of the training rows into leaves, with the same distributions (features that give
    // the same partition of a small node may be picked differently through rounding, so compare partitions).
    std::map<std::size_t, const RefNode*> leaf_map;
    std::map<const RefNode*, std::size_t> back;
    for (std::size_t r = 0; r < 150; ++r) {
      const std::size_t ours = tree.leaf_index(data.x.row(r));
      const RefNode* theirs = &reference_leaf(*ref, data.x.row(r));
      const auto [it, fresh] = leaf_map.emplace(ours, theirs);
      EXPECT_EQ(it->second, theirs) << "seed " << seed << " row " << r;
      back.emplace(theirs, ours);
      EXPECT_EQ(back[theirs], ours) << "seed " << seed << " row " << r;
      if (fresh) {
        const auto dist = tree.leaf_distribution(ours);
        for (std::size_t c = 0; c < 4; ++c) EXPECT_NEAR(dist[c], theirs->dist[c], 1e-12);
      }
    }
  }
}

TEST(Cart, RefusesBadArguments) {
  const Matrix x = column({1, 2, 3});
  CartTree tree;
  const auto kind_of = [&](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::io;
  };
  EXPECT_EQ(kind_of([&] { tree.fit(x, std::vector<int>{0, 1}, ones(3), 2, 2); }), ErrorKind::invalid_input);
  EXPECT_EQ(kind_of([&] {
              tree.fit(x, std::vector<int>{0, 1, 2}, ones(3), 2, 2);
            }),
            ErrorKind::invalid_input);
  EXPECT_EQ(kind_of([&] {
              tree.fit(x, std::vector<int>{0, 1, 1}, std::vector<double>{1, -1, 1}, 2, 2);
            }),
            ErrorKind::invalid_input);
  EXPECT_EQ(kind_of([&] {
              tree.fit(x, std::vector<int>{0, 1, 1}, std::vector<double>(3, 0.0), 2, 2);
            }),
            ErrorKind::invalid_input);
  EXPECT_EQ(kind_of([&] {
              tree.fit(column({1, std::nan(""), 3}), std::vector<int>{0, 1, 1}, ones(3), 2, 2);
            }),
            ErrorKind::invalid_input);
  EXPECT_FALSE(tree.fitted());
}

std::string saved(const CartTree& tree) {
  BinaryWriter out;
  tree.save(out);
  return out.take();
}

TEST(Cart, SaveLoadRoundTrip) {
  const auto data = blobs(300, 5, 6, 1.0, 9);
  CartTree tree;
  tree.fit(data.x, data.y, ones(300), 6, 6);
  const std::string bytes = saved(tree);
  CartTree loaded;
  BinaryReader in(bytes);
  loaded.load(in);
  EXPECT_TRUE(in.at_end());
  EXPECT_TRUE(loaded == tree);
  EXPECT_EQ(loaded.predict(data.x), tree.predict(data.x));
  EXPECT_EQ(saved(loaded), bytes);
}

// A hand-built tree: u32 n_features, u32 n_classes, u64 nodes, then the nodes.
struct TreeBytes {
  BinaryWriter w;
  TreeBytes(std::uint32_t features, std::uint32_t classes, std::uint64_t nodes) {
    w.u32(features);
    w.u32(classes);
    w.u64(nodes);
  }
  TreeBytes& split(std::uint32_t feature, double threshold, std::uint32_t l, std::uint32_t r) {
    w.u8(1), w.u32(feature), w.f64(threshold), w.u32(l), w.u32(r);
    return *this;
  }
  TreeBytes& leaf(std::vector<std::pair<std::uint32_t, double>> entries) {
    w.u8(0), w.u32(static_cast<std::uint32_t>(entries.size()));
    for (auto [c, v] : entries) w.u32(c), w.f64(v);
    return *this;
  }
};

std::string load_error(const std::string& bytes) {
  CartTree tree;
  BinaryReader in(bytes);
  try {
    tree.load(in);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::corrupt) << e.what();
    return e.what();
  }
  return "";
}

TEST(Cart, LoadChecksEveryIndex) {
  const auto good = TreeBytes(2, 3, 3).split(1, 0.5, 1, 2).leaf({{0, 1.0}}).leaf({{1, 0.25}, {2, 0.75}});
  {
    CartTree tree;
    BinaryReader in(good.w.bytes());
    tree.load(in);
    EXPECT_EQ(tree.predict(std::vector<double>{0, 0.4}), 0);
    EXPECT_EQ(tree.predict(std::vector<double>{0, 0.6}), 2);
  }
  EXPECT_NE(load_error(TreeBytes(2, 3, 3).split(2, 0.5, 1, 2).leaf({{0, 1}}).leaf({{1, 1}}).w.bytes()),
            "");  // feature
  EXPECT_NE(load_error(TreeBytes(2, 3, 3).split(1, 0.5, 1, 3).leaf({{0, 1}}).leaf({{1, 1}}).w.bytes()),
            "");  // range
  EXPECT_NE(load_error(TreeBytes(2, 3, 3).split(1, 0.5, 0, 2).leaf({{0, 1}}).leaf({{1, 1}}).w.bytes()),
            "");  // cycle
  EXPECT_NE(load_error(TreeBytes(2, 3, 3).split(1, 0.5, 1, 1).leaf({{0, 1}}).leaf({{1, 1}}).w.bytes()),
            "");  // twice
  EXPECT_NE(load_error(TreeBytes(2, 3, 3).split(1, 0.5, 1, 2).leaf({{3, 1}}).leaf({{1, 1}}).w.bytes()),
            "");  // class
  EXPECT_NE(
      load_error(TreeBytes(2, 3, 3).split(1, 0.5, 1, 2).leaf({{0, 1}}).leaf({{2, .5}, {1, .5}}).w.bytes()),
      "");
  EXPECT_NE(load_error(TreeBytes(2, 3, 3).split(1, 0.5, 1, 2).leaf({{0, 0.5}}).leaf({{1, 1}}).w.bytes()),
            "");  // sum
  EXPECT_NE(
      load_error(TreeBytes(2, 3, 3).split(1, std::nan(""), 1, 2).leaf({{0, 1}}).leaf({{1, 1}}).w.bytes()),
      "");
  EXPECT_NE(
      load_error(
          TreeBytes(2, 3, 4).split(1, 0.5, 1, 2).leaf({{0, 1}}).leaf({{1, 1}}).leaf({{1, 1}}).w.bytes()),
      "");  // node 3 unreachable
  EXPECT_NE(load_error(TreeBytes(0, 3, 1).leaf({{0, 1}}).w.bytes()), "");
  EXPECT_NE(load_error(TreeBytes(2, 0, 1).leaf({{0, 1}}).w.bytes()), "");
  EXPECT_NE(load_error(TreeBytes(2, 3, 1000000).leaf({{0, 1}}).w.bytes()), "");  // count beyond the data
  std::string bad_kind = TreeBytes(2, 3, 1).leaf({{0, 1}}).w.bytes();
  bad_kind[16] = 7;
  EXPECT_NE(load_error(bad_kind), "");
  const std::string& whole = good.w.bytes();
  for (std::size_t len = 0; len < whole.size(); ++len) EXPECT_NE(load_error(whole.substr(0, len)), "") << len;
}

TEST(Cart, PredictFollowsTheNodesWhateverTheirOrderInTheFile) {
  // Children far from each other and in reverse order: node 0 splits to 4 (left) and 1 (right); 1 splits to
  // 3 and 2. predict() reads its own compact copy of the nodes; it must land where leaf_index does.
  const auto bytes = TreeBytes(2, 3, 5)
                         .split(0, 0.5, 4, 1)
                         .split(1, -1.0, 3, 2)
                         .leaf({{2, 1.0}})
                         .leaf({{1, 1.0}})
                         .leaf({{0, 1.0}});
  CartTree tree;
  BinaryReader in(bytes.w.bytes());
  tree.load(in);
  const double nan = std::nan("");
  for (const std::vector<double>& row : std::vector<std::vector<double>>{
           {0.0, 0.0}, {0.5, 5.0}, {0.6, -1.0}, {0.6, -0.9}, {nan, -2.0}, {nan, nan}, {0.0, nan}}) {
    EXPECT_EQ(tree.predict(row), tree.nodes()[tree.leaf_index(row)].predicted) << row[0] << " " << row[1];
  }
  EXPECT_EQ(tree.predict(std::vector<double>{0.5, 9.0}), 0);   // left of the root: node 4
  EXPECT_EQ(tree.predict(std::vector<double>{0.7, -1.0}), 1);  // right, then left: node 3
  EXPECT_EQ(tree.predict(std::vector<double>{0.7, -0.5}), 2);  // right, right: node 2
  EXPECT_EQ(tree.predict(std::vector<double>{nan, -0.5}), 2);  // NaN is not <= anything: right
}

TEST(Cart, PredictAgreesWithLeafIndexOnAFittedTree) {
  const auto data = blobs(400, 4, 5, 1.5, 3);
  CartTree tree;
  tree.fit(data.x, data.y, ones(400), 5, 8);
  for (std::size_t r = 0; r < data.x.rows(); ++r)
    EXPECT_EQ(tree.predict(data.x.row(r)), tree.nodes()[tree.leaf_index(data.x.row(r))].predicted);
}

}  // namespace
}  // namespace ksauth::models
