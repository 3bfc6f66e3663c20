//===- GpuTileParallelLoops.cpp - the cotan-gpu-tile-parallel-loops pass --===//
//
// scf-parallel-loop-tiling applies one list of tile sizes to the leading
// dimensions of every loop; a GPU wants the innermost (contiguous)
// dimension split into blocks of threads whatever the loop's rank.
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_GPUTILEPARALLELLOOPS
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {
struct GpuTileParallelLoops
    : mlir::cotan::impl::GpuTileParallelLoopsBase<GpuTileParallelLoops> {
  using Base::Base;
  void runOnOperation() override {
    if (blockSize < 1) {
      getOperation().emitError("block-size must be positive, got ")
          << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    // Sequential nests outside any parallel loop run in a one-thread kernel.
    SmallVector<scf::ForOp> serial;
    getOperation().walk([&](scf::ForOp loop) {
      if (!loop->getParentOfType<scf::ForOp>() && !loop->getParentOfType<scf::ParallelOp>() &&
          !loop->getParentOfType<gpu::LaunchOp>() &&
          loop.getNumResults() == 0 &&
          !loop->walk([](Operation *op) {
                 return isa<scf::ParallelOp, scf::WhileOp>(op) ? WalkResult::interrupt()
                                                               : WalkResult::advance();
               }).wasInterrupted())
        serial.push_back(loop);
    });
    llvm::SmallPtrSet<Operation *, 4> singles;
    for (scf::ForOp loop : serial) {
      OpBuilder b(loop);
      Location loc = loop.getLoc();
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      auto single = scf::ParallelOp::create(b, loc, ValueRange{zero}, ValueRange{one},
                                            ValueRange{one});
      loop->moveBefore(single.getBody()->getTerminator());
      singles.insert(single);
    }

    SmallVector<scf::ParallelOp, 4> innermost;
    getInnermostParallelLoops(getOperation(), innermost);
    for (scf::ParallelOp loop : innermost) {
      if (loop.getNumReductions() != 0 || singles.contains(loop))
        continue;
      SmallVector<int64_t> sizes(loop.getNumLoops(), 1);
      sizes.back() = blockSize;
      scf::tileParallelLoop(loop, sizes, /*noMinMaxBounds=*/false);
    }
    // Constant tile sizes let convert-parallel-loops-to-gpu bound the
    // blocks; only arithmetic is folded, so the one-iteration loops stay.
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    context->getLoadedDialect<arith::ArithDialect>()->getCanonicalizationPatterns(patterns);
    affine::AffineMinOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
