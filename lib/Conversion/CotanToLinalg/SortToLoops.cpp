//===- SortToLoops.cpp - cotan.sort as a merge sort on buffers ------------===//
//
// No linalg op sorts, so cotan.sort becomes loops on buffers inside the
// tensor program: the inputs are read through `bufferization.to_buffer`,
// and the results are fresh buffers handed back by `to_tensor`.
// Each line along the sort dimension is sorted by a stable merge sort of
// (keys, position) records in line buffers reused by every line: insertion
// sort of short runs, then bottom-up merge passes that read and write
// memory in order (O(n log n) comparisons). The payloads are then gathered
// through the sorted positions, so they move once.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// x < y in the sort order: floats ascending with NaN last; integers
/// (and booleans stored as bytes) signed.
Value precedesScalar(OpBuilder &b, Location loc, Value x, Value y) {
  if (!isa<FloatType>(x.getType()))
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, y);
  x = upcastHalf(b, loc, x);
  y = upcastHalf(b, loc, y);
  Value less = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, y);
  Value xNumber = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ORD, x, x);
  Value yNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, y, y);
  return arith::OrIOp::create(b, loc, less,
                              arith::AndIOp::create(b, loc, xNumber, yNaN));
}

/// A line being sorted, held in 1-d buffers of its length: the positions
/// of its elements in the input, and the keys, moved along with them so
/// the comparisons read memory in order.
struct LineBuffers {
  Value positions;
  SmallVector<Value> keys;
};

/// Builds the loops that sort one cotan.sort.
class SortLowering {
public:
  SortLowering(SortOp op, ValueRange sources)
      : sources(sources), numKeys(op.getNumKeys()),
        dimension(op.getDimension()), descending(op.getDescending()) {}

  /// Sorts the line through `outer` (the indices of the other dimensions)
  /// of length `n` into `results`: sorted runs of kRun elements by
  /// insertion, then merge passes from `a` to `b` and back until one run
  /// is left (in `a`); then the keys are stored and the payloads gathered
  /// through the sorted positions.
  void sortLine(OpBuilder &b, Location loc, ValueRange outer, Value n,
                const LineBuffers &a, const LineBuffers &c,
                ValueRange results) const {
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    forEach(b, loc, zero, n, [&](OpBuilder &nb, Location l, Value i) {
      memref::StoreOp::create(nb, l, i, a.positions, i);
      for (int64_t k = 0; k < numKeys; ++k) {
        Value v = memref::LoadOp::create(nb, l, sources[k], at(outer, i));
        memref::StoreOp::create(nb, l, v, a.keys[k], i);
      }
    });
    sortRuns(b, loc, n, a);
    Value run = arith::ConstantIndexOp::create(b, loc, kRun);
    scf::WhileOp::create(
        b, loc, TypeRange{b.getIndexType()}, ValueRange{run},
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Value more = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult,
                                             args[0], n);
          scf::ConditionOp::create(nb, l, more, args);
        },
        [&](OpBuilder &nb, Location l, ValueRange args) {
          // Two passes, so the sorted line always ends up back in `a`.
          Value width = args[0];
          Value doubled = arith::AddIOp::create(nb, l, width, width);
          mergePass(nb, l, n, width, a, c);
          mergePass(nb, l, n, doubled, c, a);
          scf::YieldOp::create(nb, l, Value(arith::AddIOp::create(nb, l, doubled, doubled)));
        });
    forEach(b, loc, zero, n, [&](OpBuilder &nb, Location l, Value i) {
      Value from = memref::LoadOp::create(nb, l, a.positions, i);
      for (auto [m, source, result] : llvm::enumerate(sources, results)) {
        Value v = int64_t(m) < numKeys
                      ? Value(memref::LoadOp::create(nb, l, a.keys[m], i))
                      : Value(memref::LoadOp::create(nb, l, source, at(outer, from)));
        memref::StoreOp::create(nb, l, v, result, at(outer, i));
      }
    });
  }

  /// Runs of this many elements are sorted by insertion before merging.
  static constexpr int64_t kRun = 16;

private:
  static void forEach(OpBuilder &b, Location loc, Value lo, Value hi,
                      function_ref<void(OpBuilder &, Location, Value)> body) {
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    scf::ForOp::create(b, loc, lo, hi, one, ValueRange{},
                       [&](OpBuilder &nb, Location l, Value i, ValueRange) {
                         body(nb, l, i);
                         scf::YieldOp::create(nb, l);
                       });
  }

  /// The full index of position `i` on the line through `outer`.
  SmallVector<Value> at(ValueRange outer, Value i) const {
    SmallVector<Value> index(outer);
    index.insert(index.begin() + dimension, i);
    return index;
  }

  SmallVector<Value> loadKeys(OpBuilder &b, Location loc,
                              const LineBuffers &line, Value i) const {
    SmallVector<Value> keys;
    for (Value buffer : line.keys)
      keys.push_back(memref::LoadOp::create(b, loc, buffer, i));
    return keys;
  }

  void store(OpBuilder &b, Location loc, ArrayRef<Value> keys, Value position,
             const LineBuffers &line, Value i) const {
    for (auto [key, buffer] : llvm::zip(keys, line.keys))
      memref::StoreOp::create(b, loc, key, buffer, i);
    memref::StoreOp::create(b, loc, position, line.positions, i);
  }

  /// Whether keys `x` go strictly before keys `y` (lexicographically).
  Value precedes(OpBuilder &b, Location loc, ArrayRef<Value> x,
                 ArrayRef<Value> y) const {
    Value result;
    for (int64_t k = numKeys - 1; k >= 0; --k) {
      Value first = descending ? y[k] : x[k], second = descending ? x[k] : y[k];
      Value before = precedesScalar(b, loc, first, second);
      if (!result) {
        result = before;
        continue;
      }
      // before_k || (!after_k && the later keys decide)
      Value after = precedesScalar(b, loc, second, first);
      result = arith::OrIOp::create(
          b, loc, before, arith::AndIOp::create(b, loc, negate(b, loc, after), result));
    }
    return result;
  }

  static Value negate(OpBuilder &b, Location loc, Value flag) {
    return arith::XOrIOp::create(b, loc, flag,
                                 arith::ConstantIntOp::create(b, loc, 1, 1));
  }

  /// Insertion sort of each run [lo, lo + kRun) of `line`: each element
  /// moves left past the ones it strictly precedes (stable).
  void sortRuns(OpBuilder &b, Location loc, Value n, const LineBuffers &line) const {
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value run = arith::ConstantIndexOp::create(b, loc, kRun);
    scf::ForOp::create(
        b, loc, zero, n, run, ValueRange{},
        [&](OpBuilder &rb, Location rl, Value lo, ValueRange) {
          Value hi = arith::MinUIOp::create(rb, rl, arith::AddIOp::create(rb, rl, lo, run), n);
          Value second = arith::AddIOp::create(rb, rl, lo, one);
          forEach(rb, rl, second, hi, [&](OpBuilder &ib, Location il, Value i) {
            SmallVector<Value> keys = loadKeys(ib, il, line, i);
            Value position = memref::LoadOp::create(ib, il, line.positions, i);
            auto shift = scf::WhileOp::create(
                ib, il, TypeRange{ib.getIndexType()}, ValueRange{i},
                [&](OpBuilder &wb, Location wl, ValueRange args) {
                  Value j = args[0];
                  Value inside = arith::CmpIOp::create(wb, wl, arith::CmpIPredicate::ugt, j, lo);
                  // Clamped so the load stays in the run when j == lo.
                  Value previous = arith::SubIOp::create(
                      wb, wl, arith::MaxUIOp::create(wb, wl, j, second), one);
                  Value moves = precedes(wb, wl, keys, loadKeys(wb, wl, line, previous));
                  scf::ConditionOp::create(wb, wl, arith::AndIOp::create(wb, wl, inside, moves),
                                           args);
                },
                [&](OpBuilder &wb, Location wl, ValueRange args) {
                  Value j = args[0];
                  Value previous = arith::SubIOp::create(wb, wl, j, one);
                  store(wb, wl, loadKeys(wb, wl, line, previous),
                        memref::LoadOp::create(wb, wl, line.positions, previous), line, j);
                  scf::YieldOp::create(wb, wl, previous);
                });
            store(ib, il, keys, position, line, shift.getResult(0));
          });
          scf::YieldOp::create(rb, rl);
        });
  }

  /// Merges neighbouring runs of `width` sorted elements of `from` into
  /// runs of 2 * width in `to`.
  void mergePass(OpBuilder &b, Location loc, Value n, Value width,
                 const LineBuffers &from, const LineBuffers &to) const {
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value pair = arith::AddIOp::create(b, loc, width, width);
    scf::ForOp::create(b, loc, zero, n, pair, ValueRange{},
                       [&](OpBuilder &nb, Location l, Value lo, ValueRange) {
                         mergeRuns(nb, l, lo, width, n, from, to);
                         scf::YieldOp::create(nb, l);
                       });
  }

  /// Merges the sorted runs [lo, mid) and [mid, hi) of `from` into `to`,
  /// where mid = min(lo + width, n), hi = min(mid + width, n); the left run
  /// wins ties (stability).
  void mergeRuns(OpBuilder &b, Location loc, Value lo, Value width, Value n,
                 const LineBuffers &from, const LineBuffers &to) const {
    Value mid = arith::MinUIOp::create(b, loc, arith::AddIOp::create(b, loc, lo, width), n);
    Value hi = arith::MinUIOp::create(b, loc, arith::AddIOp::create(b, loc, mid, width), n);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value lastLeft = arith::SubIOp::create(b, loc, mid, one);
    Value lastRight = arith::SubIOp::create(b, loc, hi, one);
    scf::ForOp::create(
        b, loc, lo, hi, one, ValueRange{lo, mid},
        [&](OpBuilder &nb, Location l, Value k, ValueRange next) {
          Value i = next[0], j = next[1];
          Value leftLeft = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, i, mid);
          Value rightLeft = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, j, hi);
          // Clamped so the loads stay in bounds once a run is used up.
          Value li = arith::MinUIOp::create(nb, l, i, lastLeft);
          Value rj = arith::MinUIOp::create(nb, l, j, lastRight);
          SmallVector<Value> left = loadKeys(nb, l, from, li);
          SmallVector<Value> right = loadKeys(nb, l, from, rj);
          Value takeRight = arith::AndIOp::create(
              nb, l, rightLeft,
              arith::OrIOp::create(nb, l, negate(nb, l, leftLeft),
                                   precedes(nb, l, right, left)));
          SmallVector<Value> chosen;
          for (auto [r, lv] : llvm::zip(right, left))
            chosen.push_back(arith::SelectOp::create(nb, l, takeRight, r, lv));
          Value position = arith::SelectOp::create(
              nb, l, takeRight, memref::LoadOp::create(nb, l, from.positions, rj),
              memref::LoadOp::create(nb, l, from.positions, li));
          store(nb, l, chosen, position, to, k);
          Value iNext = arith::SelectOp::create(
              nb, l, takeRight, i, arith::AddIOp::create(nb, l, i, one));
          Value jNext = arith::SelectOp::create(
              nb, l, takeRight, arith::AddIOp::create(nb, l, j, one), j);
          scf::YieldOp::create(nb, l, ValueRange{iNext, jNext});
        });
  }

  ValueRange sources;
  int64_t numKeys, dimension;
  bool descending;
};

struct SortToLoops : OpConversionPattern<SortOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SortOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ValueRange inputs = adaptor.getInputs();
    auto shape = cast<RankedTensorType>(inputs.front().getType());
    int64_t rank = shape.getRank(), dimension = op.getDimension();
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(tensor::DimOp::create(rewriter, loc, inputs.front(), d));
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < rank; ++d)
      if (shape.isDynamicDim(d))
        dynamicSizes.push_back(sizes[d]);

    SmallVector<Value> sources, results;
    for (Value input : inputs) {
      auto type = cast<RankedTensorType>(input.getType());
      auto buffer = MemRefType::get(type.getShape(), type.getElementType());
      sources.push_back(bufferization::ToBufferOp::create(rewriter, loc, buffer, input,
                                                          /*readOnly=*/true));
      results.push_back(memref::AllocOp::create(rewriter, loc, buffer, dynamicSizes));
    }
    Value n = sizes[dimension];
    auto lineBuffers = [&] {
      auto line = [&](Type element) -> Value {
        return memref::AllocOp::create(
            rewriter, loc, MemRefType::get({ShapedType::kDynamic}, element), ValueRange{n});
      };
      LineBuffers buffers{line(rewriter.getIndexType()), {}};
      for (Value key : inputs.take_front(op.getNumKeys()))
        buffers.keys.push_back(line(cast<RankedTensorType>(key.getType()).getElementType()));
      return buffers;
    };
    LineBuffers a = lineBuffers(), c = lineBuffers();

    // One loop per other dimension; each iteration sorts one line.
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> lower, upper, steps;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == dimension)
        continue;
      lower.push_back(zero);
      upper.push_back(sizes[d]);
      steps.push_back(one);
    }
    SortLowering lowering(op, sources);
    scf::buildLoopNest(rewriter, loc, lower, upper, steps,
                       [&](OpBuilder &b, Location l, ValueRange outer) {
                         lowering.sortLine(b, l, outer, n, a, c, results);
                       });

    SmallVector<Value> tensors;
    for (auto [buffer, input] : llvm::zip(results, inputs))
      tensors.push_back(bufferization::ToTensorOp::create(
          rewriter, loc, input.getType(), buffer, /*restrict=*/true, /*writable=*/true));
    rewriter.replaceOp(op, tensors);
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanSortToLoopsPatterns(const TypeConverter &converter,
                                                   RewritePatternSet &patterns) {
  patterns.add<SortToLoops>(converter, patterns.getContext());
}
