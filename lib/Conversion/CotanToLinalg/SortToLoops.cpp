//===- SortToLoops.cpp - cotan.sort as a merge sort on buffers ------------===//
//
// No linalg op sorts, so cotan.sort becomes loops on buffers inside the
// tensor program: the inputs are read through `bufferization.to_buffer`,
// and the results are fresh buffers handed back by `to_tensor`.
// Each line along the sort dimension is sorted by a bottom-up, stable
// merge sort of its positions (O(n log n) comparisons, two index buffers
// of n entries reused by every line); the inputs are then gathered
// through the sorted positions, so payloads are moved once.
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

/// Builds the loops that sort one cotan.sort.
class SortLowering {
public:
  SortLowering(SortOp op, ValueRange sources)
      : sources(sources), numKeys(op.getNumKeys()),
        dimension(op.getDimension()), descending(op.getDescending()) {}

  /// Sorts the line through `outer` (the indices of the other dimensions)
  /// of length `n` into `results`, using the index buffers `perm` and
  /// `scratch`.
  void sortLine(OpBuilder &b, Location loc, ValueRange outer, Value n,
                Value perm, Value scratch, ValueRange results) const {
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    scf::ForOp::create(b, loc, zero, n, one, ValueRange{},
                       [&](OpBuilder &nb, Location l, Value i, ValueRange) {
                         memref::StoreOp::create(nb, l, i, perm, i);
                         scf::YieldOp::create(nb, l);
                       });
    // Runs of `width` sorted positions merge pairwise until one is left.
    scf::WhileOp::create(
        b, loc, TypeRange{b.getIndexType()}, ValueRange{one},
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Value more = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult,
                                             args[0], n);
          scf::ConditionOp::create(nb, l, more, args);
        },
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Value width = args[0];
          Value pair = arith::AddIOp::create(nb, l, width, width);
          scf::ForOp::create(
              nb, l, zero, n, pair, ValueRange{},
              [&](OpBuilder &fb, Location fl, Value lo, ValueRange) {
                mergeRuns(fb, fl, outer, lo, width, n, perm, scratch);
                scf::YieldOp::create(fb, fl);
              });
          memref::CopyOp::create(nb, l, scratch, perm);
          scf::YieldOp::create(nb, l, Value(pair));
        });
    scf::ForOp::create(
        b, loc, zero, n, one, ValueRange{},
        [&](OpBuilder &nb, Location l, Value i, ValueRange) {
          Value from = memref::LoadOp::create(nb, l, perm, i);
          for (auto [source, result] : llvm::zip(sources, results)) {
            Value v = memref::LoadOp::create(nb, l, source, at(outer, from));
            memref::StoreOp::create(nb, l, v, result, at(outer, i));
          }
          scf::YieldOp::create(nb, l);
        });
  }

private:
  /// The full index of position `i` on the line through `outer`.
  SmallVector<Value> at(ValueRange outer, Value i) const {
    SmallVector<Value> index(outer);
    index.insert(index.begin() + dimension, i);
    return index;
  }

  /// Whether the element at line position `a` goes before the one at `b`
  /// (strictly: equal keys do not), comparing the keys lexicographically.
  Value precedes(OpBuilder &b, Location loc, ValueRange outer, Value a,
                 Value c) const {
    Value result;
    for (int64_t k = numKeys - 1; k >= 0; --k) {
      Value x = memref::LoadOp::create(b, loc, sources[k], at(outer, a));
      Value y = memref::LoadOp::create(b, loc, sources[k], at(outer, c));
      if (descending)
        std::swap(x, y);
      Value before = precedesScalar(b, loc, x, y);
      if (!result) {
        result = before;
        continue;
      }
      // before_k || (!after_k && result of the later keys)
      Value after = precedesScalar(b, loc, y, x);
      Value notAfter = arith::XOrIOp::create(
          b, loc, after, arith::ConstantIntOp::create(b, loc, 1, 1));
      result = arith::OrIOp::create(
          b, loc, before, arith::AndIOp::create(b, loc, notAfter, result));
    }
    return result;
  }

  /// Merges the sorted runs perm[lo, mid) and perm[mid, hi) into
  /// scratch[lo, hi), where mid = min(lo + width, n), hi = min(mid + width, n);
  /// the left run wins ties (stability).
  void mergeRuns(OpBuilder &b, Location loc, ValueRange outer, Value lo,
                 Value width, Value n, Value perm, Value scratch) const {
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
          Value left = memref::LoadOp::create(
              nb, l, perm, ValueRange{arith::MinUIOp::create(nb, l, i, lastLeft)});
          Value right = memref::LoadOp::create(
              nb, l, perm, ValueRange{arith::MinUIOp::create(nb, l, j, lastRight)});
          Value rightSmaller = precedes(nb, l, outer, right, left);
          Value takeRight = arith::AndIOp::create(
              nb, l, rightLeft,
              arith::OrIOp::create(
                  nb, l,
                  arith::XOrIOp::create(nb, l, leftLeft,
                                        arith::ConstantIntOp::create(nb, l, 1, 1)),
                  rightSmaller));
          Value chosen = arith::SelectOp::create(nb, l, takeRight, right, left);
          memref::StoreOp::create(nb, l, chosen, scratch, k);
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
    auto positions = MemRefType::get({ShapedType::kDynamic}, rewriter.getIndexType());
    Value perm = memref::AllocOp::create(rewriter, loc, positions, ValueRange{n});
    Value scratch = memref::AllocOp::create(rewriter, loc, positions, ValueRange{n});

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
                         lowering.sortLine(b, l, outer, n, perm, scratch, results);
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
