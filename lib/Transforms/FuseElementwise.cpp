//===- FuseElementwise.cpp - the cotan-fuse-elementwise pass --------------===//
//
// Upstream's elementwise fusion fuses every single-use producer, even when
// the fused loop nest runs it many more times than it ran alone: exp(b)
// broadcast over rows, or relu(h) fused into the next layer's matmul (512x
// the max ops, and a contraction the matmul kernel no longer recognizes).
// The control function here keeps the fusions that are free.
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {

/// Bodies longer than this are not worth recomputing.
constexpr int64_t kMaxCheapOps = 6;

/// Iterations of a loop nest: the product of its static loop sizes, and how
/// many loops have dynamic sizes (a symbolic batch, say).
struct TripCount {
  int64_t staticPart = 1;
  int64_t dynamicLoops = 0;
  /// At most `other`'s iterations, taking dynamic sizes as alike and large.
  bool atMost(const TripCount &other) const {
    return dynamicLoops < other.dynamicLoops ||
           (dynamicLoops == other.dynamicLoops && staticPart <= other.staticPart);
  }
};

TripCount tripCount(linalg::LinalgOp op) {
  TripCount trips;
  for (int64_t range : op.getStaticLoopRanges()) {
    if (ShapedType::isDynamic(range))
      ++trips.dynamicLoops;
    else
      trips.staticPart *= range;
  }
  return trips;
}

/// Whether running the body again costs more than a few simple ops.
bool isExpensive(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (static_cast<int64_t>(body.getOperations().size()) - 1 > kMaxCheapOps)
    return true;
  return llvm::any_of(body.without_terminator(), [](Operation &inner) {
    return isa<math::MathDialect>(inner.getDialect()) ||
           isa<arith::DivFOp, arith::RemFOp, arith::DivSIOp, arith::DivUIOp,
               arith::RemSIOp, arith::RemUIOp, arith::FloorDivSIOp,
               arith::CeilDivSIOp>(inner);
  });
}

bool isWorthFusing(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  auto producerGeneric = dyn_cast<linalg::GenericOp>(producer);
  auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
  if (!producerGeneric || !consumer) {
    // Reshapes: nothing is recomputed, but expanding a contraction's loops
    // would split its rows or columns over several loops, a form the
    // matmul kernel does not take.
    auto isContraction = [](Operation *op) {
      auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
      return linalgOp && linalgOp.getNumReductionLoops() > 0;
    };
    return !isContraction(producer) && !isContraction(fused->getOwner());
  }
  if (tripCount(consumer).atMost(tripCount(producerGeneric)))
    return true;
  return consumer.getNumReductionLoops() == 0 && !isExpensive(producerGeneric);
}

struct FuseElementwise
    : mlir::cotan::impl::FuseElementwiseBase<FuseElementwise> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, isWorthFusing);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, isWorthFusing);
    linalg::populateConstantFoldLinalgOperations(patterns, isWorthFusing);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
